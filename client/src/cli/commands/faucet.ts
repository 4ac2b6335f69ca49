import type { Command } from "@commander-js/extra-typings";
import { formatTokenAmount } from "../../chain/money.ts";
import { requestFaucet } from "../../wallet/faucet.ts";
import type { CommandRunner } from "../program.ts";
import { chainOptions } from "./wallet.ts";

export function registerFaucetCommand(program: Command, runner: CommandRunner): void {
  chainOptions(
    runner.leaf(program.command("faucet"), "get test tokens (local chain: the token's faucet(), gas included)"),
  ).action(
    runner.handler(async (ctx, out, options) => {
      const chain = await ctx.chain(options);
      const wallet = await ctx.wallet();
      const result = await requestFaucet(chain, wallet.account);
      out.result({ address: wallet.address, network: chain.chain.network, ...result }, [
        ...(result.gasTopUp
          ? [`sent ${wallet.address} gas from the local deployer (tx ${result.gasTopUp.txHash})`]
          : []),
        `received ${formatTokenAmount(result.amount, chain.token)} (tx ${result.txHash})`,
        `balance ${formatTokenAmount(result.balance, chain.token)}`,
      ]);
    }),
  );
}
