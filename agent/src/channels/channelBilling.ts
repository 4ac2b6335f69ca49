import { BYTES_PER_MB, billsData, billsTime, dataCostOf, type LeasePlan, type LeaseUnits, planOf } from "@wg402/shared";
import type { LeaseChannel } from "../ledger/records.ts";

/** What billing reads of a lease's channel: where its bill counts from. */
export type BillBasis = Omit<LeaseChannel, "opening">;

/**
 * The node's prices: base units per billed minute and how long one is; per MB (null: no data sold), the
 * block data is charged by, and how long a data-only lease stays valid after a purchase.
 */
export type BillingTerms = {
  pricePerMinute: bigint;
  minuteMs: number;
  pricePerMb?: bigint | null;
  blockBytes?: number;
  dataValidityMs?: number;
};

/** The price of `ms` of tunnel time, rounded up to the base unit (never below what was served). */
export function costOf(terms: BillingTerms, ms: number): bigint {
  if (ms <= 0) return 0n;
  const scaled = BigInt(Math.ceil(ms)) * terms.pricePerMinute;
  const minute = BigInt(terms.minuteMs);
  return (scaled + minute - 1n) / minute;
}

/** The price of `bytes`, by whole blocks (never below what was moved). */
export function dataCost(terms: BillingTerms, bytes: number): bigint {
  if (!terms.pricePerMb) return 0n;
  return dataCostOf(terms.pricePerMb, terms.blockBytes ?? BYTES_PER_MB, bytes);
}

/** The lease as billing sees it; undefined for a purchase that creates one. */
export type BilledLease = {
  expiresAt: number;
  plan: LeasePlan;
  bytesAllowed: number | null;
  /** Bytes up + down so far (the ledger's last reading). */
  bytesUsed: number;
  channel: BillBasis | null;
};

/**
 * What one channel payment does. The voucher must raise the channel's ceiling to exactly `charged + quote`
 * (the SDK checks that equality against the 402's amount); `charge` is what the node takes now, within it;
 * the lease then runs to `expiresAt` and `bytesAllowed`, billed from `t0` and `b0` at a channel charge of `c0`.
 */
export type ChannelPlan = {
  quote: bigint;
  /** What was bought at the node's prices (the voucher's share of the ceiling, bar a lapsed lease's last charge). */
  bought: bigint;
  charge: bigint;
  expiresAt: number;
  bytesAllowed: number | null;
  t0: number;
  b0: number;
  c0: bigint;
  ceiling: bigint;
};

/** What a lease owes its channel for its time up to `until` and its bytes up to `bytes` (capped at its allowance). */
function owedAt(
  terms: BillingTerms,
  plan: LeasePlan,
  basis: BillBasis,
  allowed: number | null,
  until: number,
  bytes: number,
) {
  const time = billsTime(plan) ? costOf(terms, until - basis.t0) : 0n;
  const data = billsData(plan) ? dataCost(terms, Math.min(bytes, allowed ?? 0) - basis.b0) : 0n;
  return basis.c0 + time + data;
}

/**
 * Billing to the second and to the byte block. A lease on a channel owes `c0 + cost(t − t0) + data(b − b0)`
 * at time t after b bytes (b capped at its allowance): the channel is charged that, up to now, at each renewal
 * and finally at close or expiry. A voucher raises the ceiling by what was bought, so the ceiling always
 * covers every second and byte granted. The quote depends on the channel's charge, the lease's expiry and
 * allowance only, not on the clock or the traffic, so the 402 and the paid request that follows agree.
 */
export function planChannelPurchase(input: {
  terms: BillingTerms;
  now: number;
  units: LeaseUnits;
  /** The channel's charged cumulative amount before this payment. */
  charged: bigint;
  lease?: BilledLease;
}): ChannelPlan {
  const { terms, now, units, charged, lease } = input;
  const plan = lease?.plan ?? planOf(units);
  const validity = terms.dataValidityMs ?? 0;
  const span = units.minutes * terms.minuteMs;
  const bytes = units.megabytes * BYTES_PER_MB;
  const bought =
    (billsTime(plan) ? terms.pricePerMinute * BigInt(units.minutes) : 0n) +
    (billsData(plan) ? (terms.pricePerMb ?? 0n) * BigInt(units.megabytes) : 0n);
  const expiryFrom = (base: number, from: number) => (billsTime(plan) ? base + span : Math.max(base, from + validity));
  const allowance = (base: number) => (billsData(plan) ? base + bytes : null);
  const restart = (t0: number, b0: number, c0: bigint): ChannelPlan => ({
    quote: c0 - charged + bought,
    bought,
    charge: c0 - charged,
    expiresAt: expiryFrom(t0, t0),
    bytesAllowed: allowance(b0),
    t0,
    b0,
    c0,
    ceiling: c0 + bought,
  });
  // Bytes beyond an allowance were never sold (the node's loss): a new allowance counts from where they ended.
  const paidBytes = lease ? Math.max(lease.bytesAllowed ?? 0, lease.bytesUsed) : 0;
  if (!lease?.channel) {
    // A new lease, or one paid by `exact` until now: the channel owes nothing for time or bytes before its basis.
    return restart(lease ? Math.max(lease.expiresAt, now) : now, billsData(plan) ? paidBytes : 0, charged);
  }
  const basis = lease.channel;
  const owed = (until: number, upTo: number) => owedAt(terms, plan, basis, lease.bytesAllowed, until, upTo);
  const due = (until: number, upTo: number) => {
    const gap = owed(until, upTo) - charged;
    return gap > 0n ? gap : 0n;
  };
  if (now <= lease.expiresAt) {
    const expiresAt = expiryFrom(lease.expiresAt, now);
    const bytesAllowed = allowance(lease.bytesAllowed ?? 0);
    const ceiling = owedAt(terms, plan, basis, bytesAllowed, expiresAt, bytesAllowed ?? 0);
    const charge = due(now, lease.bytesUsed);
    return { quote: ceiling - charged, bought, charge, expiresAt, bytesAllowed, ...basis, ceiling };
  }
  // Lapsed (its time ran out, or its data, which ends it at once) inside the grace window: the gap was not
  // served, so the bill starts again now, from the bytes it had moved.
  const charge = due(lease.expiresAt, lease.bytesUsed);
  return restart(now, billsData(plan) ? paidBytes : 0, charged + charge);
}

/** What a lease on a channel owes once it ended at `endedAt` (its expiry, or an earlier close). */
export function finalOwed(
  terms: BillingTerms,
  lease: Pick<BilledLease, "plan" | "bytesAllowed" | "bytesUsed" | "expiresAt"> & { channel: BillBasis },
  endedAt: number,
): bigint {
  return owedAt(
    terms,
    lease.plan,
    lease.channel,
    lease.bytesAllowed,
    Math.min(lease.expiresAt, endedAt),
    lease.bytesUsed,
  );
}
