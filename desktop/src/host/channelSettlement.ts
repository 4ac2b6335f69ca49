import type { ChannelSettlement } from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import type { ActiveChannel, ActiveSession } from "./activeSession.ts";
import { toWireError } from "./toWireError.ts";

/**
 * A finished channel session's settlement, for its History record: the channel the lease ran on, the charge
 * the node's receipt states (else what the refund found charged), and the refund at the close.
 */
export function settlementOf(active: ActiveSession): ChannelSettlement | null {
  const refund = active.closed?.refund ?? null;
  const channel: ActiveChannel | null = active.channel;
  if (!channel && !refund) return null;
  const ok = refund?.ok ? refund : null;
  const receiptCharge = active.closed?.receipt?.channel?.charged ?? null;
  const wire = refund && !refund.ok ? toWireError(refund.error) : null;
  return {
    channelId: channel?.channelId ?? (ok ? ok.channelId : ""),
    deposit: (channel?.deposit ?? 0n).toString(),
    depositTxHash: channel?.depositTxHash ?? null,
    charged: receiptCharge ?? (ok ? ok.charged.toString() : null),
    refunded: ok ? ok.refunded.toString() : null,
    refundTxHash: ok?.txHash ?? null,
    refundError: wire
      ? { error: wire.error, message: wire.message }
      : refund === null
        ? { error: ErrorCode.channel_refund_failed, message: "the close did not get as far as the refund" }
        : null,
  };
}
