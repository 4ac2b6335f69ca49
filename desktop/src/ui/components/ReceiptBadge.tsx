import type { ReceiptBadgeStatus, ReceiptBadgeView, ReceiptBytesView } from "../../api/views.ts";
import { formatBytes } from "../model/format.ts";

const looks: Record<ReceiptBadgeStatus, { label: string; className: string }> = {
  verified: {
    label: "verified",
    className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200",
  },
  bytes_mismatch: {
    label: "bytes mismatch",
    className: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  },
  signature_invalid: {
    label: "signature invalid",
    className: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  },
  none: { label: "no signed receipt", className: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300" },
  unreadable: {
    label: "receipts unreadable",
    className: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  },
};

/**
 * A History row's word on the node's signed usage receipt, checked again when History was read; the sentence
 * beside it says who signed and, on a mismatch, the node's figures against this device's counters.
 */
export function ReceiptBadge({ receipt }: { receipt: ReceiptBadgeView }) {
  const look = looks[receipt.status];
  const off = receipt.bytes
    ? [side("↑", receipt.bytes.up), side("↓", receipt.bytes.down)].filter((line) => line !== null)
    : [];
  return (
    <div className="mt-2 flex flex-col gap-1" data-testid="receipt">
      <span
        className={`self-start rounded-full px-2 py-0.5 text-xs font-semibold ${look.className}`}
        data-testid="receipt-badge"
        data-status={receipt.status}
        title={receipt.signer ? `Signed by ${receipt.signer}` : undefined}
      >
        {look.label}
      </span>
      {off.length > 0 && (
        <p className="text-xs font-semibold text-rose-800 tabular-nums dark:text-rose-300" data-testid="receipt-bytes">
          {off.join("; ")}
        </p>
      )}
      {receipt.detail && (
        <p className="break-words text-xs text-slate-500 dark:text-slate-400" data-testid="receipt-detail">
          {receipt.detail}
        </p>
      )}
    </div>
  );
}

/** One direction the node's figure was off in, formatted (the detail keeps the exact bytes). */
function side(arrow: string, b: ReceiptBytesView): string | null {
  if (b.ok) return null;
  return `${arrow} node ${formatBytes(b.node)}, this device ${formatBytes(b.client)} (±${formatBytes(b.allowed)} allowed)`;
}
