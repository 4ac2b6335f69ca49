// A channel session's money at a given instant: the host sends the deposit and the ceiling with each snapshot,
// and the window works the charge out every second in between, as the node bills it.
import type { AmountView, SessionView } from "../../api/views.ts";
import { formatUnits } from "./format.ts";

export type ChannelNumbers = {
  /** Charged this session so far, in base units. */
  charged: bigint;
  /** What the deposit still holds for this session, and so what comes back at disconnect. */
  depositLeft: bigint;
  deposit: bigint;
  ceiling: bigint;
};

/**
 * The node's bill to the second: `price × elapsed / minute`, rounded up to the base unit, from the lease's
 * start to now (or its end), never above the ceiling the vouchers cover, nor the deposit.
 */
export function chargeAt(
  p: { startedAt: number; pricePerMinute: bigint; secondsPerMinute: number; ceiling: bigint },
  until: number,
): bigint {
  const ms = Math.ceil(until - p.startedAt);
  if (ms <= 0) return 0n;
  const minuteMs = BigInt(Math.max(1, p.secondsPerMinute) * 1000);
  const cost = (BigInt(ms) * p.pricePerMinute + minuteMs - 1n) / minuteMs;
  return cost < p.ceiling ? cost : p.ceiling;
}

/** The channel's numbers for the session panel; null for `exact`, or before the lease exists. */
export function channelNumbers(session: SessionView, now: number): ChannelNumbers | null {
  const channel = session.channel;
  if (!channel || session.startedAt === null) return null;
  const deposit = BigInt(channel.deposit.amount);
  const ceiling = BigInt(channel.ceiling.amount);
  // The lease bills no time past its expiry, nor past the moment it ended.
  const until = Math.min(now, session.ended?.at ?? now, session.expiresAt ?? now);
  const charged = chargeAt(
    {
      startedAt: session.startedAt,
      pricePerMinute: BigInt(session.pricePerMinute.amount),
      secondsPerMinute: session.secondsPerMinute,
      ceiling: ceiling < deposit ? ceiling : deposit,
    },
    until,
  );
  return { charged, depositLeft: deposit - charged, deposit, ceiling };
}

/** Base units in the token of `like`: "0.00123 tUSD". */
export function amountText(value: bigint, like: Pick<AmountView, "decimals" | "symbol">): string {
  return `${formatUnits(value.toString(), like.decimals)} ${like.symbol}`;
}
