import type { ClosedSummary, HistoryEntry } from "../api/views.ts";
import { type ActiveSession, amountOf } from "./activeSession.ts";

/**
 * What Home says once a session is over: its History entry and the prepaid time the close left unused, as
 * the core worked it out from the node's receipt (none when the node could not be told, or the lease had
 * already run out). `exact` payments are final, so that time is not refunded.
 */
export function closedSummary(active: ActiveSession, entry: HistoryEntry | null): ClosedSummary | null {
  if (!entry) return null;
  return {
    entry,
    scheme: "exact",
    unusedSeconds: active.closed?.unusedSeconds ?? 0,
    unusedAmount: amountOf(active, active.closed?.unusedAmount ?? 0n),
  };
}
