import type { Command } from "@commander-js/extra-typings";
import { ErrorCode } from "@wg402/shared";
import { formatTokenAmount } from "../../chain/money.ts";
import type { PaymentChain } from "../../chain/paymentChain.ts";
import { paymentChainFor } from "../../chain/paymentChain.ts";
import {
  type ChannelOnChain,
  finalizeWithdraw,
  initiateWithdraw,
  readChannelOnChain,
  withdrawable,
} from "../../channel/channelEscrow.ts";
import { findChannel, type KnownChannel, knownChannels } from "../../channel/channelIndex.ts";
import { channelStorage } from "../../channel/channelStorage.ts";
import { ClientError } from "../../errors.ts";
import { openLeaseClient } from "../../node/openLeaseClient.ts";
import { readTokenBalance } from "../../wallet/balances.ts";
import { refundJson, refundText } from "../channelRefundReport.ts";
import type { CliContext } from "../context.ts";
import { ExitCode } from "../exitCodes.ts";
import type { CommandRunner } from "../program.ts";

type ChannelView = {
  channelId: string;
  nodeUrl: string;
  network: string;
  /** On-chain: the deposit held, and what the node has claimed of it. */
  balance: bigint;
  claimed: bigint;
  /** Local: the node's charge so far as its last answer said (claimed or not). */
  charged: bigint | null;
  withdrawable: bigint;
  withdrawal: { amount: bigint; initiatedAt: string; finalizableAt: string } | null;
};

async function view(
  ctx: CliContext,
  channel: KnownChannel,
): Promise<{ view: ChannelView; state: ChannelOnChain; chain: PaymentChain }> {
  const chain = await paymentChainFor({ network: channel.network, asset: channel.config.token }, ctx.io.env);
  const state = await readChannelOnChain(chain, channel);
  const record = await channelStorage(ctx.io.env).get(channel.channelId.toLowerCase());
  const w = state.withdrawal;
  return {
    state,
    chain,
    view: {
      channelId: channel.channelId,
      nodeUrl: channel.nodeUrl,
      network: channel.network,
      balance: state.balance,
      claimed: state.claimed,
      charged: record?.chargedCumulativeAmount === undefined ? null : BigInt(record.chargedCumulativeAmount),
      withdrawable: withdrawable(state),
      withdrawal: w
        ? {
            amount: w.amount,
            initiatedAt: new Date(w.initiatedAt).toISOString(),
            finalizableAt: new Date(w.finalizableAt).toISOString(),
          }
        : null,
    },
  };
}

function line(v: ChannelView, show: (amount: bigint) => string): string {
  const charged = v.charged === null ? "charged ?" : `charged ${show(v.charged)}`;
  const w = v.withdrawal ? `; withdrawal started, finalize from ${v.withdrawal.finalizableAt}` : "";
  return `${v.channelId} ${v.nodeUrl}: balance ${show(v.balance)}, ${charged}, claimed ${show(v.claimed)}${w}`;
}

async function one(ctx: CliContext, id: string): Promise<KnownChannel> {
  const found = await findChannel(ctx.io.env, id);
  if (found.length !== 1) {
    throw new ClientError(
      found.length === 0
        ? `no channel ${id} in this wallet's home (\`wg402 channel list\` shows them)`
        : `${id} names ${found.length} channels; give more of the id`,
      { code: ErrorCode.channel_unknown },
    );
  }
  return found[0] as KnownChannel;
}

const show = (chain: PaymentChain, amount: bigint) => formatTokenAmount(amount, chain.token);

export function registerChannelCommands(program: Command, runner: CommandRunner): void {
  const channel = program.command("channel").description("escrow channels this wallet pays nodes by");

  runner.leaf(channel.command("list"), "every channel: balance and claimed (chain), charged (local)").action(
    runner.handler(async (ctx, out) => {
      const views = await Promise.all((await knownChannels(ctx.io.env)).map((c) => view(ctx, c)));
      out.result(
        { channels: views.map((v) => v.view) },
        views.length ? views.map((v) => line(v.view, (a) => show(v.chain, a))) : "no channels yet",
      );
    }),
  );

  runner.leaf(channel.command("show").argument("<id>", "channel id (or a unique prefix)"), "one channel").action(
    runner.handler(async (ctx, out, _options, id) => {
      const known = await one(ctx, id);
      const { view: v, chain } = await view(ctx, known);
      const amount = (a: bigint) => show(chain, a);
      out.result({ ...v, config: known.config }, [line(v, amount), `withdrawable ${amount(v.withdrawable)}`]);
    }),
  );

  runner
    .leaf(
      channel.command("refund").argument("<id>", "channel id (or a unique prefix)"),
      "ask the node for the cooperative refund of the unused deposit (after its lease is closed)",
    )
    .action(
      runner.handler(async (ctx, out, _options, id) => {
        const known = await one(ctx, id);
        const wallet = await ctx.wallet();
        const client = await openLeaseClient({
          nodeUrl: known.nodeUrl,
          account: () => wallet.account,
          scheme: "channel",
          env: ctx.io.env,
          fetch: ctx.io.fetch,
        });
        const refund = await client.refund();
        out.result(
          { channelId: known.channelId, ...refundJson(refund, null) },
          refundText(refund, null, (a) => show(client.chain, BigInt(a))),
        );
        if (!refund.ok) return ExitCode.failure;
        return ExitCode.ok;
      }),
    );

  runner
    .leaf(
      channel.command("withdraw").argument("<id>", "channel id (or a unique prefix)"),
      "the escape hatch from a node that is gone: start a withdrawal (you pay its gas); --finalize completes it after the delay",
    )
    .option("--finalize", "complete a withdrawal whose delay has passed")
    .action(
      runner.handler(async (ctx, out, options, id) => {
        const known = await one(ctx, id);
        const wallet = await ctx.wallet();
        const chain = await paymentChainFor({ network: known.network, asset: known.config.token }, ctx.io.env);
        const { state } = await view(ctx, known);
        if (options.finalize) {
          // Read as the wallet's gain: the node may claim up to the last moment, so the escrow decides.
          const before = await readTokenBalance(chain, wallet.account.address);
          const txHash = await finalizeWithdraw(chain, wallet.account, known);
          const withdrawn = (await readTokenBalance(chain, wallet.account.address)) - before;
          out.result(
            { channelId: known.channelId, txHash, withdrawn },
            `withdrew ${show(chain, withdrawn)} from ${known.channelId} (tx ${txHash})`,
          );
          return ExitCode.ok;
        }
        const amount = withdrawable(state);
        const txHash = await initiateWithdraw(chain, wallet.account, known, amount);
        const started = await readChannelOnChain(chain, known);
        const at = started.withdrawal ? new Date(started.withdrawal.finalizableAt).toISOString() : null;
        out.result(
          { channelId: known.channelId, txHash, amount, finalizableAt: at },
          `withdrawal of ${show(chain, amount)} started (tx ${txHash}); the node may still claim what it is owed until ${at}, then \`wg402 channel withdraw ${known.channelId} --finalize\``,
        );
        return ExitCode.ok;
      }),
    );
}
