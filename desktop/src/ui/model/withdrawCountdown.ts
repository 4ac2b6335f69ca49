// Where a payer's own withdrawal from a channel stands at a given instant, for the escape-hatch card.
import type { ChannelView } from "../../api/views.ts";

export type WithdrawStage =
  /** Nothing above the claims and no withdrawal: the channel is settled. */
  | { stage: "empty" }
  /** Money in the escrow and no withdrawal: it can be started. */
  | { stage: "idle" }
  /** Started: the node may still claim what it is owed until `finalizableAt`. */
  | { stage: "waiting"; secondsLeft: number; finalizableAt: number }
  | { stage: "ready" };

/**
 * The stage at wall-clock `now`, judged on the chain's clock (which the escrow checks): the block time when
 * the channel was read, moved on by the wall-clock time since.
 */
export function withdrawStage(channel: ChannelView, now: number): WithdrawStage {
  const w = channel.withdrawal;
  if (!w) return BigInt(channel.withdrawable.amount) > 0n ? { stage: "idle" } : { stage: "empty" };
  const chainNow = channel.chainTime + Math.max(0, now - channel.readAt);
  if (chainNow >= w.finalizableAt) return { stage: "ready" };
  // Rounded up: "0 s left" while finalize would still be refused would be a lie.
  return {
    stage: "waiting",
    secondsLeft: Math.ceil((w.finalizableAt - chainNow) / 1000),
    // When that is on the wall clock, for "at 14:05".
    finalizableAt: w.finalizableAt - (chainNow - now),
  };
}
