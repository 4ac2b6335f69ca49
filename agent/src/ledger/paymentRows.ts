import { BaseError, ErrorCode } from "@wg402/shared";
import type { Ledger } from "@wg402/shared/node";
import type { NewPayment } from "./records.ts";

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
         digest, target, amount, minutes, payload, requirements, created_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      JSON.stringify(payment.payload),
      JSON.stringify(payment.requirements),
      now,
    );
}
