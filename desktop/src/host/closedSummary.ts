import { describeUsageCheck } from "@wg402/client";
import type { ClosedSummary, HistoryEntry } from "../api/views.ts";
import { type ActiveSession, amountOf } from "./activeSession.ts";
import { refundView } from "./channelQuote.ts";

/**
 * What Home says once a session is over: its History entry and the prepaid time the close left unused, as
 * the core worked it out from the node's receipt (none when the node could not be told, or the lease had
 * already run out). `exact` payments are final, so that time is not refunded; a channel's close charges the
 * seconds used and the core's cooperative refund returns the rest, with its transaction.
 */
export function closedSummary(
  active: ActiveSession,
  entry: HistoryEntry | null,
  txUrl: (network: string, hash: string | null) => string | null,
): ClosedSummary | null {
  if (!entry) return null;
  const refund = active.closed?.refund ?? null;
  const check = active.closed?.receiptCheck ?? null;
  return {
    entry,
    scheme: active.client.channel ? "batch-settlement" : "exact",
    unusedSeconds: active.closed?.unusedSeconds ?? 0,
    unusedAmount: amountOf(active, active.closed?.unusedAmount ?? 0n),
    receiptCheck: check && { ok: check.ok, text: describeUsageCheck(check) },
    refund:
      refund &&
      refundView(
        refund,
        active.facts.token,
        (hash) => txUrl(active.facts.network, hash),
        active.closed?.receipt?.channel?.charged ?? null,
      ),
  };
}
