import { BYTES_PER_MB, billsData, billsTime, type LeasePlan, type LeaseUnits, planOf } from "@wg402/shared";
import type { Ledger } from "@wg402/shared/node";
import type { ChannelGrant } from "./channelLeaseRows.ts";
import { newLeaseToken } from "./leaseTokens.ts";
import type { LeaseRecord, PaymentRecord } from "./records.ts";

/** How long a billed minute is, and how long a data-only lease stays valid after each purchase. */
export type GrantTerms = { minuteMs: number; dataValidityMs: number };

/** What bounds a lease: its expiry and its data allowance (null: no data limit). */
export type LeaseBounds = { expiresAt: number; bytesAllowed: number | null };

/** The lease as an extension sees it. */
export type ExtendedLease = Pick<LeaseRecord, "plan" | "expiresAt" | "bytesAllowed"> & { bytesUsed: number };

/**
 * What a purchase paid up front (`exact`) makes of a lease. Minutes extend the expiry (from now if it had
 * lapsed); megabytes extend the allowance, and for a lease that ran out, from the bytes it moved (bytes beyond
 * an allowance were never sold: the node's loss, not the buyer's). A data-only lease's time is a validity,
 * renewed by each purchase.
 */
export function extendLease(
  terms: GrantTerms,
  lease: ExtendedLease | undefined,
  units: LeaseUnits,
  now: number,
): LeaseBounds & { plan: LeasePlan } {
  const plan = lease?.plan ?? planOf(units);
  const span = units.minutes * terms.minuteMs;
  const bytes = units.megabytes * BYTES_PER_MB;
  if (!lease) {
    return {
      plan,
      expiresAt: billsTime(plan) ? now + span : now + terms.dataValidityMs,
      bytesAllowed: billsData(plan) ? bytes : null,
    };
  }
  const lapsed = lease.expiresAt <= now;
  const base = Math.max(lease.expiresAt, now);
  const allowed = lease.bytesAllowed ?? 0;
  return {
    plan,
    expiresAt: billsTime(plan) ? base + span : Math.max(lease.expiresAt, now + terms.dataValidityMs),
    bytesAllowed: billsData(plan) ? (lapsed ? Math.max(allowed, lease.bytesUsed) : allowed) + bytes : null,
  };
}

const used = (lease: LeaseRecord) => lease.bytesUp + lease.bytesDown;

/**
 * Inside the settling transaction: the lease becomes active (a creation, its time starting now) or is
 * extended (a renewal). A channel payment's grant carries the bounds its ceiling covers.
 */
export function applyGrant(
  ledger: Ledger,
  terms: GrantTerms,
  input: { lease: LeaseRecord; payment: PaymentRecord; payer: string; now: number; grant?: ChannelGrant },
): void {
  const { lease, payment, now, grant } = input;
  const units = { minutes: payment.minutes, megabytes: payment.megabytes };
  if (payment.kind === "create") {
    const bounds = grant ?? extendLease(terms, undefined, units, now);
    const token = newLeaseToken();
    ledger
      .stmt(
        `UPDATE leases SET state = 'active', payer = ?, created_at = ?, expires_at = ?, bytes_allowed = ?,
           token_hash = ?, token_unsent = ? WHERE id = ? AND state = 'pending'`,
      )
      .run(input.payer, now, bounds.expiresAt, bounds.bytesAllowed, token.hash, token.plain, lease.id);
    return;
  }
  const bounds = grant ?? extendLease(terms, { ...lease, bytesUsed: used(lease) }, units, now);
  ledger
    .stmt(
      `UPDATE leases SET state = 'active', expires_at = ?, bytes_allowed = ?
       WHERE id = ? AND state IN ('active', 'expired') AND ended_at IS NULL`,
    )
    .run(bounds.expiresAt, bounds.bytesAllowed, lease.id);
}
