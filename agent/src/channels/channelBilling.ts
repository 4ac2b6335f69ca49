import type { LeaseChannel } from "../ledger/records.ts";

/** What billing reads of a lease's channel: where its bill counts from. */
export type BillBasis = Omit<LeaseChannel, "opening">;

/** The node's price: base units per billed minute, and how long a billed minute is. */
export type BillingTerms = { pricePerMinute: bigint; minuteMs: number };

/** The price of `ms` of tunnel time, rounded up to the base unit (never below what was served). */
export function costOf(terms: BillingTerms, ms: number): bigint {
  if (ms <= 0) return 0n;
  const scaled = BigInt(Math.ceil(ms)) * terms.pricePerMinute;
  const minute = BigInt(terms.minuteMs);
  return (scaled + minute - 1n) / minute;
}

/** The lease as billing sees it; undefined for a purchase that creates one. */
export type BilledLease = { expiresAt: number; channel: BillBasis | null };

/**
 * What one channel payment does. The voucher must raise the channel's ceiling to exactly `charged + quote`
 * (the SDK checks that equality against the 402's amount); `charge` is what the node takes now, within it;
 * the lease then runs to `expiresAt`, billed from `t0` at a channel charge of `c0`.
 */
export type ChannelPlan = { quote: bigint; charge: bigint; expiresAt: number; t0: number; c0: bigint; ceiling: bigint };

/**
 * Billing to the second. A lease on a channel owes `c0 + cost(t − t0)` at time t: the channel is charged
 * that, up to now, at each renewal and finally at close or expiry. A renewal's voucher raises the ceiling by
 * the minutes bought, so the ceiling always covers every second granted: `c0 + cost(expiresAt − t0) ≤
 * ceiling`. The quote depends on the channel's charge and the lease's expiry only, not on the clock, so the
 * 402 and the paid request that follows it agree on the amount.
 */
export function planChannelPurchase(input: {
  terms: BillingTerms;
  now: number;
  minutes: number;
  /** The channel's charged cumulative amount before this payment. */
  charged: bigint;
  lease?: BilledLease;
}): ChannelPlan {
  const { terms, now, minutes, charged, lease } = input;
  const span = minutes * terms.minuteMs;
  const bought = terms.pricePerMinute * BigInt(minutes);
  if (!lease?.channel) {
    // A new lease, or one paid by `exact` until now: the channel owes nothing for time before `t0`.
    const t0 = lease ? Math.max(lease.expiresAt, now) : now;
    return { quote: bought, charge: 0n, expiresAt: t0 + span, t0, c0: charged, ceiling: charged + bought };
  }
  const { t0, c0 } = lease.channel;
  const owed = (until: number) => c0 + costOf(terms, until - t0);
  const due = (until: number) => {
    const gap = owed(until) - charged;
    return gap > 0n ? gap : 0n;
  };
  if (now <= lease.expiresAt) {
    const expiresAt = lease.expiresAt + span;
    const ceiling = owed(expiresAt);
    return { quote: ceiling - charged, charge: due(now), expiresAt, t0, c0, ceiling };
  }
  // Lapsed inside the grace window: the gap was not served, so the bill starts again now.
  const charge = due(lease.expiresAt);
  const ceiling = charged + charge + bought;
  return { quote: ceiling - charged, charge, expiresAt: now + span, t0: now, c0: charged + charge, ceiling };
}

/** What a lease on a channel owes once it ended at `endedAt` (its expiry, or an earlier close). */
export function finalOwed(terms: BillingTerms, channel: BillBasis, expiresAt: number, endedAt: number): bigint {
  return channel.c0 + costOf(terms, Math.min(expiresAt, endedAt) - channel.t0);
}
