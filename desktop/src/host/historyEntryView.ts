import { countryName, type SessionRecord } from "@wg402/client";
import type { HistoryEntry } from "../api/views.ts";
import { amountView } from "./amountView.ts";
import { txLink } from "./txLink.ts";

export function historyEntryView(record: SessionRecord, explorerTemplates: Record<string, string>): HistoryEntry {
  return {
    leaseId: record.leaseId,
    nodeUrl: record.nodeUrl,
    nodeName: record.nodeName,
    region: record.region,
    country: countryName(record.region),
    network: record.network,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    secondsUsed: record.secondsUsed,
    bytesUp: record.bytesUp,
    bytesDown: record.bytesDown,
    totalPaid: amountView(BigInt(record.totalPaid), record.token),
    payments: record.payments.map((p) => ({
      amount: amountView(BigInt(p.amount), record.token),
      minutes: p.minutes,
      txHash: p.txHash,
      txUrl: txLink(p.network, p.txHash, explorerTemplates),
      paidAt: p.paidAt,
    })),
    endCause: record.endCause,
  };
}
