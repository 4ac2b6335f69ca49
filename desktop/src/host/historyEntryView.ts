import { type ChannelSettlement, countryName, type ReceiptStore, type SessionRecord } from "@wg402/client";
import type { HistoryChannel, HistoryEntry, ReceiptBadgeView } from "../api/views.ts";
import { amountView, type TokenUnits } from "./amountView.ts";
import { badgesFor, readKeptReceipts } from "./receiptBadge.ts";
import { txLink } from "./txLink.ts";

/** History as a UI lists it: each record with its receipt badge, from one read of the receipt store. */
export async function historyEntries(
  records: readonly SessionRecord[],
  explorerTemplates: Record<string, string>,
  receipts: ReceiptStore,
): Promise<HistoryEntry[]> {
  const badges = await badgesFor(
    records.map((r) => r.leaseId),
    await readKeptReceipts(receipts),
  );
  return records.map((record, i) => historyEntryView(record, explorerTemplates, badges[i] as ReceiptBadgeView));
}

export function historyEntryView(
  record: SessionRecord,
  explorerTemplates: Record<string, string>,
  receipt: ReceiptBadgeView,
): HistoryEntry {
  const settlement = record.channel ?? null;
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
      megabytes: p.megabytes,
      txHash: p.txHash,
      txUrl: txLink(p.network, p.txHash, explorerTemplates),
      paidAt: p.paidAt,
    })),
    megabytes: record.payments.reduce((sum, p) => sum + p.megabytes, 0),
    endCause: record.endCause,
    channel:
      settlement && historyChannel(settlement, record.token, (hash) => txLink(record.network, hash, explorerTemplates)),
    receipt,
  };
}

function historyChannel(
  s: ChannelSettlement,
  token: TokenUnits,
  txUrl: (hash: string | null) => string | null,
): HistoryChannel {
  const amount = (value: string | null) => (value === null ? null : amountView(BigInt(value), token));
  return {
    channelId: s.channelId,
    deposit: amountView(BigInt(s.deposit), token),
    depositTxHash: s.depositTxHash,
    depositTxUrl: txUrl(s.depositTxHash),
    charged: amount(s.charged),
    refunded: amount(s.refunded),
    refundTxHash: s.refundTxHash,
    refundTxUrl: txUrl(s.refundTxHash),
    refundError: s.refundError as HistoryChannel["refundError"],
  };
}
