import type { ChannelRefundView } from "../../api/views.ts";
import { humanSentence } from "../model/format.ts";
import { TxHash } from "./TxHash.tsx";

/** The refund at a channel session's close: charged, refunded and its transaction, or why it did not happen. */
export function ChannelRefundLine({ refund }: { refund: ChannelRefundView | null }) {
  if (!refund) {
    return (
      <p className="mt-2 text-xs text-amber-800 dark:text-amber-200" data-testid="summary-refund">
        The close did not get as far as the refund: the deposit stays in the escrow; withdraw it from Home.
      </p>
    );
  }
  if (!refund.ok) {
    return (
      <p className="mt-2 text-xs text-amber-800 dark:text-amber-200" data-testid="summary-refund">
        {humanSentence(refund.error.message)} The deposit stays in the escrow until the node refunds it, or you withdraw
        it.
      </p>
    );
  }
  return (
    <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm" data-testid="summary-refund">
      <dt className="text-slate-500 dark:text-slate-400">Charged</dt>
      <dd data-testid="summary-charged" data-amount={refund.charged.amount}>
        {refund.charged.formatted}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Refunded</dt>
      <dd data-testid="summary-refunded" data-amount={refund.refunded.amount}>
        {refund.refunded.formatted}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Refund tx</dt>
      <dd data-testid="summary-refund-tx">
        <TxHash hash={refund.txHash} url={refund.txUrl} />
      </dd>
    </dl>
  );
}
