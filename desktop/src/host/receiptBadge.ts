// History's verified badge, from the receipts the client core kept. The signature is checked again now with
// the core's own check (a receipt file edited since is caught); the bytes verdict is the one the core made at
// the close, because only then did it have this device's counters and the node's meter interval.
import {
  checkUsageReceipt,
  describeUsageCheck,
  type ReceiptEntry,
  type ReceiptStore,
  type UsageCheck,
  type UsageReceiptEntry,
} from "@wg402/client";
import type { ReceiptBadgeView, ReceiptBytesView } from "../api/views.ts";

/** The store's receipts by lease id (oldest first), or why the file could not be read. */
export type KeptReceipts = { byLease: Map<string, ReceiptEntry[]>; error: string | null };

/** Reads the store once for a whole History; a damaged file leaves every badge "unreadable", not History gone. */
export async function readKeptReceipts(store: ReceiptStore): Promise<KeptReceipts> {
  const byLease = new Map<string, ReceiptEntry[]>();
  let entries: ReceiptEntry[];
  try {
    entries = await store.list();
  } catch (error) {
    return { byLease, error: error instanceof Error ? error.message : String(error) };
  }
  for (const entry of entries) {
    const list = byLease.get(entry.leaseId) ?? [];
    list.push(entry);
    byLease.set(entry.leaseId, list);
  }
  return { byLease, error: null };
}

/** The kept usage check with its signature verdict made again now, against the signer advertised back then. */
export async function recheckUsage(entry: UsageReceiptEntry): Promise<UsageCheck> {
  const fresh = await checkUsageReceipt(entry.receipt, { signer: entry.expectedSigner, counters: null });
  const bytes = entry.check.bytes;
  const bytesOk = bytes === null || (bytes.up.ok && bytes.down.ok);
  return { ...fresh, bytes, ok: fresh.signature === "valid" && bytesOk };
}

/** The badge for one lease's kept receipts: its last usage receipt decides (a later close may add another). */
export async function receiptBadge(entries: readonly ReceiptEntry[]): Promise<ReceiptBadgeView> {
  const usage = entries.filter((e): e is UsageReceiptEntry => e.kind === "usage").at(-1);
  const kept = entries.length;
  if (!usage) {
    return { status: "none", detail: "The node sent no signed usage receipt.", signer: null, bytes: null, kept };
  }
  const check = await recheckUsage(usage);
  const bytes = check.bytes && { up: bytesView(check.bytes.up), down: bytesView(check.bytes.down) };
  if (check.signature === "unsigned") {
    return { status: "none", detail: "The node's usage receipt is not signed.", signer: null, bytes, kept };
  }
  const detail = sentence(describeUsageCheck(check));
  // A signature that does not hold makes its figures nobody's word: that outranks a bytes mismatch.
  const status =
    check.signature !== "valid"
      ? "signature_invalid"
      : bytes && !(bytes.up.ok && bytes.down.ok)
        ? "bytes_mismatch"
        : "verified";
  return { status, detail, signer: check.signer, bytes, kept };
}

/** The badge when the receipt file could not be read. */
export function unreadableBadge(error: string): ReceiptBadgeView {
  return {
    status: "unreadable",
    detail: `The receipt file could not be read: ${error}`,
    signer: null,
    bytes: null,
    kept: 0,
  };
}

/** Each lease's badge, in the order given, from one read of the store. */
export function badgesFor(leaseIds: readonly string[], kept: KeptReceipts): Promise<ReceiptBadgeView[]> {
  const { error } = kept;
  if (error !== null) return Promise.resolve(leaseIds.map(() => unreadableBadge(error)));
  return Promise.all(leaseIds.map((leaseId) => receiptBadge(kept.byLease.get(leaseId) ?? [])));
}

function bytesView(b: ReceiptBytesView): ReceiptBytesView {
  return { node: b.node, client: b.client, allowed: b.allowed, ok: b.ok };
}

/** The core's line starts lower-case ("receipt signed by …"): the badge's detail is a sentence. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
