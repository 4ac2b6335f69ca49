import type { Lease, LeasePayment } from "@wg402/shared";
import type { LeaseRecord, PaymentRecord, Usage } from "../ledger/leaseStore.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function paymentView(payment: PaymentRecord): LeasePayment {
  return {
    scheme: payment.scheme,
    network: payment.network as LeasePayment["network"],
    payer: payment.payer,
    amount: payment.amount,
    minutes: payment.minutes,
    megabytes: payment.megabytes,
    txHash: payment.txHash,
    paidAt: iso(payment.settledAt ?? payment.createdAt),
  };
}

/** The lease as the API shows it; an active lease past its expiry already reads as expired. */
export function leaseView(lease: LeaseRecord, payments: PaymentRecord[], usage: Usage, now: number): Lease {
  const settled = payments.filter((p) => p.status === "settled");
  const state = lease.state === "active" && lease.expiresAt <= now ? "expired" : lease.state;
  return {
    id: lease.id,
    state,
    publicKey: lease.publicKey,
    payer: lease.payer,
    createdAt: iso(lease.createdAt),
    expiresAt: iso(lease.expiresAt),
    closedAt: lease.state === "closed" && lease.endedAt !== null ? iso(lease.endedAt) : null,
    secondsLeft: state === "active" ? Math.max(0, Math.floor((lease.expiresAt - now) / 1000)) : 0,
    plan: lease.plan,
    bytesAllowed: lease.bytesAllowed,
    bytesLeft:
      lease.bytesAllowed === null
        ? null
        : state === "active"
          ? Math.max(0, lease.bytesAllowed - usage.bytesUp - usage.bytesDown)
          : 0,
    address: lease.address,
    totalPaid: settled.reduce((sum, p) => sum + BigInt(p.amount), 0n).toString(),
    payments: settled.map(paymentView),
    usage: {
      bytesUp: usage.bytesUp,
      bytesDown: usage.bytesDown,
      lastHandshakeAt: usage.lastHandshakeAt === null ? null : iso(usage.lastHandshakeAt),
    },
  };
}
