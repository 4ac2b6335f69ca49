// "Export receipts": the kept receipts exactly as the core stored them, each beside its signature checked
// again now, in the shape `wg402 receipts --verify --json` gives, so one file serves a dispute either way.
import { type KeptReceiptVerdict, type ReceiptEntry, type ReceiptStore, verifyKeptReceipt } from "@wg402/client";
import type { ReceiptsExportView } from "../api/views.ts";
import { receiptBadge } from "./receiptBadge.ts";

/** A payment receipt as `wg402 receipts --verify` checks it; a usage receipt as History's badge has it. */
async function verify(entry: ReceiptEntry): Promise<KeptReceiptVerdict> {
  if (entry.kind === "payment") return verifyKeptReceipt(entry);
  const badge = await receiptBadge([entry]);
  return badge.status === "verified" ? { valid: true, problem: null } : { valid: false, problem: badge.detail };
}

/**
 * All receipts, or `leaseId`'s alone. A damaged receipt file is an error, not a shorter file: evidence that
 * silently leaves lines out would mislead.
 */
export async function exportReceipts(
  store: ReceiptStore,
  leaseId: string | undefined,
  now: Date = new Date(),
): Promise<ReceiptsExportView> {
  const all = await store.list();
  const entries = leaseId === undefined ? all : all.filter((e) => e.leaseId === leaseId);
  const verified = await Promise.all(entries.map(verify));
  const failed = verified.filter((v) => !v.valid).length;
  const body = {
    exportedAt: now.toISOString(),
    leaseId: leaseId ?? null,
    receipts: entries.map((entry, i) => ({ ...entry, verified: verified[i] })),
    verifiedCount: entries.length - failed,
    failed,
  };
  const stamp = now.toISOString().slice(0, 19).replaceAll(":", "-");
  return {
    fileName: leaseId ? `wg402-receipts-${leaseId}.json` : `wg402-receipts-${stamp}.json`,
    json: `${JSON.stringify(body, null, 2)}\n`,
    count: entries.length,
    leaseId: leaseId ?? null,
  };
}
