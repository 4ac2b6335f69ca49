import type { HistoryChannel } from "../../api/views.ts";
import { humanSentence, shortHex } from "../model/format.ts";
import { TxHash } from "./TxHash.tsx";

/** A channel session's settlement in History: deposit, charge, refund, and the transactions behind them. */
export function HistoryChannelRow({ channel }: { channel: HistoryChannel }) {
  const label = "text-xs text-slate-500 dark:text-slate-400";
  return (
    <div className="mt-2 rounded-xl bg-slate-50 p-3 dark:bg-slate-800/60" data-testid="history-channel">
      <p className={label}>
        Escrow channel{" "}
        <span className="font-mono" title={channel.channelId}>
          {shortHex(channel.channelId)}
        </span>
      </p>
      <dl className="mt-1 grid grid-cols-3 gap-x-4 gap-y-1 text-sm">
        <div>
          <dt className={label}>Deposit</dt>
          <dd className="tabular-nums" data-testid="history-deposit" data-amount={channel.deposit.amount}>
            {channel.deposit.formatted}
          </dd>
          <dd>
            <TxHash hash={channel.depositTxHash} url={channel.depositTxUrl} />
          </dd>
        </div>
        <div>
          <dt className={label}>Charged</dt>
          <dd
            className="font-semibold tabular-nums"
            data-testid="history-charged"
            data-amount={channel.charged?.amount}
          >
            {channel.charged?.formatted ?? "—"}
          </dd>
        </div>
        <div>
          <dt className={label}>Refunded</dt>
          <dd className="tabular-nums" data-testid="history-refunded" data-amount={channel.refunded?.amount}>
            {channel.refunded?.formatted ?? "—"}
          </dd>
          <dd data-testid="history-refund-tx">
            {channel.refundTxHash || channel.refunded ? (
              <TxHash hash={channel.refundTxHash} url={channel.refundTxUrl} />
            ) : null}
          </dd>
        </div>
      </dl>
      {channel.refundError && (
        <p className="mt-1 text-xs text-amber-800 dark:text-amber-200">
          {humanSentence(channel.refundError.message)} The deposit stayed in the escrow.
        </p>
      )}
    </div>
  );
}
