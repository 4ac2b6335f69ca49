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

export function refundJson(refund: ChannelRefund, receipt: UsageReceipt | null): Record<string, unknown> {
  if (!refund.ok) return { error: refund.error.toJSON() };
  return {
    channelId: refund.channelId,
    secondsUsed: receipt?.secondsUsed ?? null,
    charged: refund.charged,
    refunded: refund.refunded,
    refundTx: refund.txHash,
  };
}

export function refundText(refund: ChannelRefund, show: (amount: string) => string): string {
  if (!refund.ok) return `${refund.error.shortMessage}; \`wg402 channel refund\` asks again (${refund.error.code})`;
  return `channel ${refund.channelId}: charged ${show(refund.charged.toString())}, refunded ${show(refund.refunded.toString())}${refund.txHash ? ` (tx ${refund.txHash})` : ""}`;
}
