import type { Command, OptionValues } from "@commander-js/extra-typings";
import { InvalidArgumentError } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import QRCode from "qrcode";
import { formatUnits } from "viem";
import { ClientError } from "../../errors.ts";
import { readBalances } from "../../wallet/balances.ts";
import { exportKeystoreFile, parsePrivateKey, writeKeystoreFile } from "../../wallet/keystoreWallet.ts";
import { PRIVATE_KEY_ENV, walletAddress } from "../../wallet/loadWallet.ts";
import { MNEMONIC_ENV, privateKeyFromMnemonic } from "../../wallet/mnemonic.ts";
import { parseNetwork } from "../options.ts";
import { toJson } from "../output.ts";
import type { CommandRunner } from "../program.ts";

function parseAccountIndex(value: string): number {
  if (!/^[0-9]{1,9}$/.test(value)) throw new InvalidArgumentError("must be a whole number from 0");
  return Number(value);
}

export function registerWalletCommands(program: Command, runner: CommandRunner): void {
  const wallet = program.command("wallet").description("the payer wallet: an encrypted keystore, or WG402_PRIVATE_KEY");

  runner.leaf(wallet.command("create"), "create an encrypted wallet (keystore v3, scrypt) with a new key").action(
    runner.handler(async (ctx, out) => {
      const created = await writeKeystoreFile(ctx.paths.keystore, await ctx.newPassphrase());
      out.result(created, [`created ${created.path}`, `address ${created.address}`]);
    }),
  );

  runner
    .leaf(
      wallet.command("import"),
      `encrypt an existing private key (from ${PRIVATE_KEY_ENV}, else asked for) or, with --mnemonic, a BIP-39 recovery phrase (from ${MNEMONIC_ENV}, else asked for)`,
    )
    .option("--mnemonic", "import a 12- to 24-word recovery phrase instead of a private key")
    .option("--account-index <n>", "with --mnemonic: the account m/44'/60'/0'/0/<n> (default 0)", parseAccountIndex)
    .action(
      runner.handler(async (ctx, out, options) => {
        if (options.accountIndex !== undefined && !options.mnemonic) {
          throw new ClientError("--account-index needs --mnemonic", { code: ErrorCode.invalid_argument });
        }
        let privateKey: `0x${string}`;
        let path: string | null = null;
        if (options.mnemonic) {
          const phrase = await ctx.secret(MNEMONIC_ENV, "recovery phrase (12-24 words): ", "recovery phrase");
          ({ privateKey, path } = privateKeyFromMnemonic(phrase, { accountIndex: options.accountIndex }));
        } else {
          privateKey = parsePrivateKey(await ctx.secret(PRIVATE_KEY_ENV, "private key (0x…): ", "key"));
        }
        const created = await writeKeystoreFile(ctx.paths.keystore, await ctx.newPassphrase(), { privateKey });
        out.result({ ...created, derivationPath: path }, [
          `imported into ${created.path}`,
          `address ${created.address}${path ? ` (${path})` : ""}`,
        ]);
      }),
    );

  runner
    .leaf(wallet.command("export"), "the keystore file as it is, still encrypted with its passphrase")
    .option("--output <path>", "write it to this new file (0600) instead of stdout")
    .action(
      runner.handler(async (ctx, out, options) => {
        const exported = await exportKeystoreFile(ctx.paths.keystore, options.output);
        if (exported.path === null) {
          // The keystore itself is the document, with or without --json.
          ctx.io.stdout.write(`${toJson(exported.keystore)}\n`);
          return;
        }
        out.result({ address: exported.address, path: exported.path }, [
          `wrote ${exported.path} (0600): the keystore of ${exported.address}, encrypted with your passphrase`,
        ]);
      }),
    );

  runner
    .leaf(wallet.command("address"), "print the wallet's address (no passphrase needed)")
    .option("--qr", "also a QR code of the address, to send funds from a phone")
    .action(
      runner.handler(async (ctx, out, options) => {
        const found = await walletAddress({ env: ctx.io.env, keystorePath: ctx.paths.keystore });
        const where = found.kind === "env" ? found.variable : found.path;
        const qr = options.qr
          ? await QRCode.toString(found.address, { type: "terminal", small: true, errorCorrectionLevel: "M" })
          : null;
        out.result(qr === null ? found : { ...found, qr }, [`${found.address} (${where})`, ...(qr ? [qr] : [])]);
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
