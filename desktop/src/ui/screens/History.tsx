import type { HistoryEntry } from "../../api/views.ts";
import { ExportReceiptsButton } from "../components/ExportReceiptsButton.tsx";
import { HistoryChannelRow } from "../components/HistoryChannelRow.tsx";
import { Card } from "../components/primitives.tsx";
import { ReceiptBadge } from "../components/ReceiptBadge.tsx";
import { TxHash } from "../components/TxHash.tsx";
import { flagEmojiSupported } from "../flagSupport.ts";
import { pausedReason } from "../model/connectToggle.ts";
import { formatBytes, formatDuration, plural } from "../model/format.ts";
import { describePurchase } from "../model/purchase.ts";
import { regionLabel } from "../model/region.ts";
import { useSelect } from "../storeContext.ts";

export function History() {
  const history = useSelect((s) => s.history);
  if (history === null) return <p className="text-sm text-slate-500">Loading history…</p>;
  if (history.length === 0) {
    return (
      <Card title="History">
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No sessions yet. They appear here once you disconnect.
        </p>
      </Card>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">History</h2>
        <ExportReceiptsButton label="Export receipts" />
      </div>
      <ol className="flex flex-col gap-3" data-testid="history">
        {history.map((entry, index) => (
          <li key={entry.leaseId}>
            <HistoryCard entry={entry} open={index === 0} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function HistoryCard({ entry, open }: { entry: HistoryEntry; open: boolean }) {
  return (
    <Card
      headingLevel={3}
      title={
        <span>
          {entry.nodeName}{" "}
          <span className="text-sm font-normal text-slate-500">
            ({regionLabel(entry.region, entry.country, flagEmojiSupported())})
          </span>
        </span>
      }
      actions={
        <time className="text-xs text-slate-500 dark:text-slate-400" dateTime={entry.startedAt}>
          {new Date(entry.startedAt).toLocaleString()}
        </time>
      }
    >
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Duration</dt>
          <dd className="tabular-nums">{formatDuration(entry.secondsUsed)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{entry.channel ? "Signed for" : "Paid"}</dt>
          <dd className="font-semibold tabular-nums" data-testid="history-paid">
            {entry.totalPaid.formatted}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Up</dt>
          <dd className="tabular-nums">{formatBytes(entry.bytesUp)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Down</dt>
          <dd className="tabular-nums">{formatBytes(entry.bytesDown)}</dd>
        </div>
        {entry.megabytes > 0 && (
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">Data bought</dt>
            <dd className="tabular-nums" data-testid="history-megabytes">
              {entry.megabytes} MB
            </dd>
          </div>
        )}
      </dl>
      {entry.channel && <HistoryChannelRow channel={entry.channel} />}
      <ReceiptBadge receipt={entry.receipt} />
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        {entry.endCause === "closed" ? "You disconnected." : pausedReason(entry.endCause)} Lease{" "}
        <span className="font-mono" data-testid="history-lease">
          {entry.leaseId}
        </span>
      </p>
      {entry.receipt.kept > 0 && (
        <div className="mt-2">
          <ExportReceiptsButton leaseId={entry.leaseId} label="Export this session's receipts" />
        </div>
      )}
      <details className="mt-2" open={open}>
        <summary className="cursor-pointer text-sm font-medium">{plural(entry.payments.length, "payment")}</summary>
        <ul className="mt-2 flex flex-col gap-2">
          {entry.payments.map((p) => (
            <li key={`${p.paidAt}-${p.txHash ?? p.minutes}`} className="text-sm">
              <span className="tabular-nums">
                {p.amount.formatted} for {describePurchase(p)}
              </span>{" "}
              <span className="text-xs text-slate-500">{new Date(p.paidAt).toLocaleTimeString()}</span>
              <span className="block">
                <TxHash hash={p.txHash} url={p.txUrl} />
              </span>
            </li>
          ))}
        </ul>
      </details>
    </Card>
  );
}
