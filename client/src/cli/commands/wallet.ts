import type { Command, OptionValues } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import { formatUnits } from "viem";
import { ClientError } from "../../errors.ts";
import { readBalances } from "../../wallet/balances.ts";
import { parsePrivateKey, writeKeystoreFile } from "../../wallet/keystoreWallet.ts";
import { PRIVATE_KEY_ENV, walletAddress } from "../../wallet/loadWallet.ts";
import { parseNetwork } from "../options.ts";
import type { CommandRunner } from "../program.ts";

export function registerWalletCommands(program: Command, runner: CommandRunner): void {
  const wallet = program.command("wallet").description("the payer wallet: an encrypted keystore, or WG402_PRIVATE_KEY");

  runner.leaf(wallet.command("create"), "create an encrypted wallet (keystore v3, scrypt) with a new key").action(
    runner.handler(async (ctx, out) => {
      const created = await writeKeystoreFile(ctx.paths.keystore, await ctx.newPassphrase());
      out.result(created, [`created ${created.path}`, `address ${created.address}`]);
    }),
  );

  runner
    .leaf(wallet.command("import"), `encrypt an existing private key (from ${PRIVATE_KEY_ENV}, else asked for)`)
    .action(
      runner.handler(async (ctx, out) => {
        const fromEnv = ctx.io.env[PRIVATE_KEY_ENV];
        let text = fromEnv;
        if (!text) {
          if (!ctx.io.prompt) {
            throw new ClientError(`set ${PRIVATE_KEY_ENV} to the key to import, or run in a terminal`, {
              code: ErrorCode.invalid_private_key,
            });
          }
          text = await ctx.io.prompt("private key (0x…): ");
        }
        const privateKey = parsePrivateKey(text);
        const created = await writeKeystoreFile(ctx.paths.keystore, await ctx.newPassphrase(), { privateKey });
        out.result(created, [`imported into ${created.path}`, `address ${created.address}`]);
      }),
    );

  runner.leaf(wallet.command("address"), "print the wallet's address (no passphrase needed)").action(
    runner.handler(async (ctx, out) => {
      const found = await walletAddress({ env: ctx.io.env, keystorePath: ctx.paths.keystore });
      const where = found.kind === "env" ? found.variable : found.path;
      out.result(found, `${found.address} (${where})`);
    }),
  );

  chainOptions(
    runner.leaf(wallet.command("balance"), "gas and token balance on the node's chain (or --network)"),
  ).action(
    runner.handler(async (ctx, out, options) => {
      const chain = await ctx.chain(options);
      const { address } = await walletAddress({ env: ctx.io.env, keystorePath: ctx.paths.keystore });
      const balances = await readBalances(chain, address);
      const nativeText = `${formatUnits(balances.native, 18)} ${balances.nativeSymbol}`;
      const tokenText = `${formatUnits(balances.token, chain.token.decimals)} ${chain.token.symbol}`;
      out.result(
        {
          address,
          network: chain.chain.network,
          native: { wei: balances.native, formatted: nativeText },
          token: {
            address: chain.token.address,
            symbol: chain.token.symbol,
            decimals: chain.token.decimals,
            balance: balances.token,
            formatted: tokenText,
          },
        },
        [`${address} on ${chain.chain.name}`, `  ${tokenText}`, `  ${nativeText} (gas)`],
      );
    }),
  );
}

export function chainOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option("--node <url>", "use the chain and token this node is paid in")
    .option("--network <name>", "local, base-sepolia or base (default local)", parseNetwork);
}
