import { BaseError, ErrorCode } from "@wg402/shared";
import type { Ledger } from "@wg402/shared/node";
import { type NewPayment, type PaymentRecord, paymentFromRow } from "./records.ts";

/** A payment whose outcome is not decided yet. */
export const OPEN = "status IN ('pending', 'unknown')";

/** A payment key buys one thing. One whose settlement definitely failed (no money moved) may try again. */
export function claimPaymentKey(ledger: Ledger, paymentKey: string): void {
  const existing = ledger.stmt("SELECT status FROM payments WHERE payment_key = ?").get(paymentKey);
  if (!existing) return;
  if (existing.status !== "failed") {
    throw new BaseError("this payment was already used", { code: ErrorCode.payment_replayed });
  }
  ledger.stmt("DELETE FROM payments WHERE payment_key = ?").run(paymentKey);
}

/** A verified payment, pending: the identity's parts as columns, and what is needed to settle it later. */
export function insertPayment(
  ledger: Ledger,
  leaseId: string,
  kind: "create" | "renew",
  payment: NewPayment,
  now: number,
): void {
  const { identity } = payment;
  ledger
    .stmt(
      `INSERT INTO payments (payment_key, lease_id, kind, status, scheme, network, asset, payer, nonce, valid_before,
         digest, target, amount, minutes, megabytes, payload, requirements, created_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      identity.key,
      leaseId,
      kind,
      identity.scheme,
      identity.network,
      identity.asset,
      identity.payer,
      identity.nonce,
      identity.validBefore,
      identity.digest,
      payment.target,
      identity.amount,
      payment.minutes,
      payment.megabytes,
      JSON.stringify(payment.payload),
      JSON.stringify(payment.requirements),
      now,
    );
}

export function paymentsOf(ledger: Ledger, leaseId: string): PaymentRecord[] {
  return ledger
    .stmt("SELECT * FROM payments WHERE lease_id = ? ORDER BY created_at, payment_key")
    .all(leaseId)
    .map(paymentFromRow);
}

export function paymentByKey(ledger: Ledger, paymentKey: string): PaymentRecord | undefined {
  const row = ledger.stmt("SELECT * FROM payments WHERE payment_key = ?").get(paymentKey);
  return row ? paymentFromRow(row) : undefined;
}

/** Settlement ended without saying whether money moved: the payment stays open until the chain tells. */
export function markPaymentUnknown(ledger: Ledger, paymentKey: string, reason: string): void {
  ledger
    .stmt(`UPDATE payments SET status = 'unknown', failure_reason = ? WHERE payment_key = ? AND ${OPEN}`)
    .run(reason, paymentKey);
}

/** Frees a settled payment's key for a new purchase; the row stays, under its lease's name. */
export function retirePaymentKey(ledger: Ledger, paymentKey: string): void {
  ledger.stmt("UPDATE payments SET payment_key = payment_key || ':' || lease_id WHERE payment_key = ?").run(paymentKey);
}

export function openPaymentRows(ledger: Ledger): PaymentRecord[] {
  return ledger.stmt(`SELECT * FROM payments WHERE ${OPEN} ORDER BY created_at`).all().map(paymentFromRow);
}

export function hasOpenPayment(ledger: Ledger, leaseId: string): boolean {
  return ledger.stmt(`SELECT 1 FROM payments WHERE lease_id = ? AND ${OPEN} LIMIT 1`).get(leaseId) !== undefined;
}
