import type { ClosedSummary } from "../../api/views.ts";
import { formatMegabytes } from "../model/dataAllowance.ts";
import { formatBytes, formatDuration, plural } from "../model/format.ts";
import { ChannelRefundLine } from "./ChannelRefundLine.tsx";
import { Button, Card } from "./primitives.tsx";

/**
 * Home after a disconnect: what the session used and cost, and what its early end left unused (`exact`), or
 * what the channel charged and refunded.
 */
export function ClosedSummaryCard({ summary, onDismiss }: { summary: ClosedSummary; onDismiss: () => void }) {
  const { entry } = summary;
  const channel = summary.scheme === "batch-settlement";
  return (
    <Card
      title={`Disconnected from ${entry.nodeName}`}
      actions={<Button onClick={onDismiss}>Dismiss</Button>}
      className="ring-indigo-200 dark:ring-indigo-900"
    >
      <div data-testid="closed-summary">
        <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Time used</dt>
          <dd data-testid="summary-used">{formatDuration(entry.secondsUsed)}</dd>
          <dt className="text-slate-500 dark:text-slate-400">{channel ? "Signed for" : "Paid"}</dt>
          <dd data-testid="summary-paid">
            {entry.totalPaid.formatted} in {plural(entry.payments.length, channel ? "voucher" : "payment")}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Traffic</dt>
          <dd>
            ↑ {formatBytes(entry.bytesUp)} ↓ {formatBytes(entry.bytesDown)}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Lease</dt>
          <dd className="break-all font-mono text-xs" data-testid="summary-lease">
            {entry.leaseId}
          </dd>
        </dl>
        {channel ? (
          <ChannelRefundLine refund={summary.refund} />
        ) : (
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-300" data-testid="summary-refund">
            {summary.unusedSeconds > 0
              ? `${formatDuration(summary.unusedSeconds)} of prepaid time (${summary.unusedAmount.formatted}) was left unused and is not refunded: ${summary.scheme} payments are final.`
              : summary.unusedData
                ? ""
                : `No prepaid time was left over. Unused time is never refunded: ${summary.scheme} payments are final.`}
            {summary.unusedData && (
              <span className="block" data-testid="summary-unused-data">
                {formatMegabytes(summary.unusedData.bytes)} of data ({summary.unusedData.amount.formatted}) was left
                unused and is not refunded: {summary.scheme} payments are final.
              </span>
            )}
          </p>
        )}
        {summary.receiptCheck ? (
          <p
            className={`mt-2 text-xs ${summary.receiptCheck.ok ? "text-slate-600 dark:text-slate-300" : "font-semibold text-red-700 dark:text-red-400"}`}
            data-testid="summary-receipt"
          >
            {summary.receiptCheck.text}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
