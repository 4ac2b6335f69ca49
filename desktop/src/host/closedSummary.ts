import { describeUsageCheck } from "@wg402/client";
import { BYTES_PER_MB, planOf } from "@wg402/shared";
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
  // A data lease's time is only its validity, never billed: what it forfeits is the data it did not use.
  const dataOnly = (active.lease?.plan ?? planOf(active)) === "data";
  return {
    entry,
    scheme: active.client.channel ? "batch-settlement" : "exact",
    unusedSeconds: dataOnly ? 0 : (active.closed?.unusedSeconds ?? 0),
    unusedAmount: amountOf(active, dataOnly ? 0n : (active.closed?.unusedAmount ?? 0n)),
    unusedData: unusedData(active, entry),
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

/** The allowance the lease had left by the node's final count, and its worth at the MB price. */
function unusedData(active: ActiveSession, entry: HistoryEntry): ClosedSummary["unusedData"] {
  const allowed = active.session.status().bytesAllowed;
  const perMb = active.client.pricePerMb;
  if (allowed === null || perMb === null) return null;
  const bytes = Math.max(0, allowed - entry.bytesUp - entry.bytesDown);
  return { bytes, amount: amountOf(active, (perMb * BigInt(bytes)) / BigInt(BYTES_PER_MB)) };
}
