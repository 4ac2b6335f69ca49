import {
  type ReceiptStore,
  type SessionFacts,
  type SessionHistory,
  type SessionRecord,
  sessionRecordFrom,
} from "@wg402/client";
import type { Lease, UsageReceipt } from "@wg402/shared";
import type { HistoryEntry } from "../api/views.ts";
import type { ActiveSession } from "./activeSession.ts";
import { settlementOf } from "./channelSettlement.ts";
import { historyEntries } from "./historyEntryView.ts";
import type { SessionOutlet } from "./sessionOutlet.ts";
import type { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";

/**
 * Writes a finished session into History, from the node's receipt when the close produced one, else from the
 * lease as the node last reported it (or, when the node cannot be asked, as this app last saw it). A failed
 * save is a warning: the session is over all the same.
 */
export async function recordSession(
  active: ActiveSession,
  receipt: UsageReceipt | null,
  deps: { history: SessionHistory; receipts: ReceiptStore; settings: SettingsStore; out: SessionOutlet },
): Promise<HistoryEntry | null> {
  const { out } = deps;
  if (active.startedAt === null || active.leaseId === null) return null;
  const channel = settlementOf(active);
  const facts: SessionFacts = {
    ...active.facts,
    leaseId: active.leaseId,
    endCause: active.ended?.cause ?? "closed",
    ...(channel ? { channel } : {}),
  };
  let record: SessionRecord;
  if (receipt) {
    record = sessionRecordFrom(facts, { receipt });
  } else {
    let lease: Lease;
    try {
      lease = await active.client.status(active.leaseId);
    } catch (error) {
      out.warn(toWireError(error));
      const status = active.session.status();
      lease = {
        ...(active.lease as Lease),
        expiresAt: new Date(status.expiresAt ?? Date.now()).toISOString(),
        usage: { bytesUp: status.bytesUp, bytesDown: status.bytesDown, lastHandshakeAt: null },
        totalPaid: status.spend.settled.toString(),
        payments: active.payments,
      };
    }
    record = sessionRecordFrom(facts, { lease, endedAt: Date.now() });
  }
  try {
    const all = await deps.history.add(record);
    out.publish("history", { entries: await historyEntries(all, deps.settings.current.explorerTxUrls, deps.receipts) });
  } catch (error) {
    out.warn({
      ...toWireError(error),
      message: `the session could not be saved to History: ${toWireError(error).message}`,
    });
  }
  // The close kept the node's receipt before this: the entry's badge already has it.
  const [entry] = await historyEntries([record], deps.settings.current.explorerTxUrls, deps.receipts);
  return entry ?? null;
}
