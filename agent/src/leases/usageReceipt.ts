import type { UsageReceipt } from "@wg402/shared";
import type { LeaseRecord, PaymentRecord } from "../ledger/leaseStore.ts";
import { paymentView } from "./leaseView.ts";

/**
 * What a closed lease used and cost: its paid time from start to the close (never past its expiry), its
 * bytes as last read before its peer went, and every settled payment.
 */
export function usageReceipt(p: {
  closed: LeaseRecord;
  expiresAt: number;
  payments: PaymentRecord[];
  now: number;
}): UsageReceipt {
  const { closed } = p;
  const settled = p.payments.filter((payment) => payment.status === "settled");
  const endedAt = closed.endedAt ?? p.now;
  return {
    leaseId: closed.id,
    state: "closed",
    payer: closed.payer,
    startedAt: new Date(closed.createdAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    secondsUsed: Math.max(0, Math.floor((Math.min(endedAt, p.expiresAt) - closed.createdAt) / 1000)),
    bytesUp: closed.bytesUp,
    bytesDown: closed.bytesDown,
    totalPaid: settled.reduce((sum, payment) => sum + BigInt(payment.amount), 0n).toString(),
    payments: settled.map(paymentView),
  };
}
