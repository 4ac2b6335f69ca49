import type { Lease, UsageReceipt } from "@wg402/shared";
import type { LeaseClient } from "../node/leaseClient.ts";
import { unusedOf } from "./sessionPlan.ts";
import type { SessionClosed } from "./sessionTypes.ts";

/**
 * What a session's close came to: the node's receipt and its check against the client's counters, the prepaid
 * time left unused, and on a channel the refund (none when the deposit was kept for the next session).
 */
export function sessionClosed(p: {
  client: LeaseClient;
  keepDeposit: boolean;
  leaseId: string | null;
  receipt: UsageReceipt | null;
  expiresAt: number | null;
  lease?: Pick<Lease, "plan" | "bytesAllowed">;
}): SessionClosed {
  const { client, receipt } = p;
  const kept = client.channel !== undefined && p.keepDeposit;
  const refund = client.channel ? (kept ? null : client.lastRefund) : undefined;
  return {
    leaseId: p.leaseId,
    receipt,
    receiptCheck: receipt ? client.receipts.lastUsageCheck : null,
    ...unusedOf(receipt, p.expiresAt, client, p.lease),
    ...(refund === undefined ? {} : { refund }),
    ...(kept ? { depositKept: true } : {}),
  };
}
