// The cooperative refund after a close, as `wg402 disconnect` and the channel commands say it.
import type { UsageReceipt } from "@wg402/shared";
import type { LocalAccount } from "viem";
import type { ChannelRefund } from "../channel/channelRefund.ts";
import { isClientError } from "../errors.ts";
import { openLeaseClient } from "../node/openLeaseClient.ts";
import { CHANNEL_SCHEME } from "../node/paymentKind.ts";
import type { CliContext } from "./context.ts";

/**
 * After `wg402 disconnect` closed a lease: when the node sells by channel, the payer's channel with it gets its
 * unused deposit back. Null when the node offers no channel (an `exact` lease) or cannot be reached; the
 * refund's own failure is data (the lease is closed either way, and `wg402 channel refund` asks again).
 */
export async function refundAfterClose(
  ctx: CliContext,
  nodeUrl: string,
  account: LocalAccount,
): Promise<ChannelRefund | null> {
  try {
    const { node } = await ctx.node(nodeUrl);
    if (!node.accepts.some((k) => k.scheme === CHANNEL_SCHEME)) return null;
    const client = await openLeaseClient({
      nodeUrl,
      node,
      account: () => account,
      scheme: "channel",
      env: ctx.io.env,
      fetch: ctx.io.fetch,
    });
    return await client.refund();
  } catch (error) {
    if (isClientError(error)) return { ok: false, error };
    throw error;
  }
}

/**
 * The lease's charge: the node's receipt says what its seconds cost; without it (an older node), what the node
 * kept of the channel's unclaimed value at the refund.
 */
const chargedOf = (refund: ChannelRefund & { ok: true }, receipt: UsageReceipt | null) =>
  receipt?.channel?.charged ?? refund.charged.toString();

export function refundJson(refund: ChannelRefund, receipt: UsageReceipt | null): Record<string, unknown> {
  if (!refund.ok) return { error: refund.error.toJSON() };
  return {
    channelId: refund.channelId,
    secondsUsed: receipt?.secondsUsed ?? null,
    charged: chargedOf(refund, receipt),
    refunded: refund.refunded,
    refundTx: refund.txHash,
  };
}

export function refundText(refund: ChannelRefund, receipt: UsageReceipt | null, show: (amount: string) => string) {
  if (!refund.ok) return `${refund.error.shortMessage}; \`wg402 channel refund\` asks again (${refund.error.code})`;
  return `channel ${refund.channelId}: charged ${show(chargedOf(refund, receipt))}, refunded ${show(refund.refunded.toString())}${refund.txHash ? ` (tx ${refund.txHash})` : ""}`;
}

/** A close that kept the deposit in the channel (`--keep-deposit`): what the lease cost, and no refund. */
export function keptJson(receipt: UsageReceipt | null): Record<string, unknown> {
  return {
    channelId: receipt?.channel?.channelId ?? null,
    secondsUsed: receipt?.secondsUsed ?? null,
    charged: receipt?.channel?.charged ?? null,
    refunded: "0",
    refundTx: null,
    depositKept: true,
  };
}

export function keptText(receipt: UsageReceipt | null, show: (amount: string) => string): string {
  const charged = receipt?.channel ? `charged ${show(receipt.channel.charged)}; ` : "";
  return `channel ${receipt?.channel?.channelId ?? ""}: ${charged}the rest of the deposit stays in it for your next connect (\`wg402 channel refund\` returns it)`;
}
