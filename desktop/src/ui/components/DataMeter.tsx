import type { SessionView } from "../../api/views.ts";
import { dataNumbers } from "../model/dataAllowance.ts";
import { useByteRate } from "../useByteRate.ts";

/**
 * A data or hybrid lease's allowance: a bar of what is left of the megabytes bought (the node's count, so what
 * it ends the lease by), the rate they go at, and what the next data renewal buys.
 */
export function DataMeter({ session, paused }: { session: SessionView; paused: boolean }) {
  const measured = useByteRate(session);
  const data = session.data;
  if (!data) {
    return (
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400" data-testid="data-meter">
        Data allowance: waiting for the node's first count.
      </p>
    );
  }
  const numbers = dataNumbers(data, measured);
  const percent = Math.round(numbers.fraction * 100);
  const low = numbers.fraction < 0.1;
  return (
    <div className="mb-4" data-testid="data-meter">
      <div className="mb-1 flex items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold tabular-nums" data-testid="data-left" data-bytes-left={data.bytesLeft}>
          {numbers.text}
        </span>
        <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400" data-testid="data-rate">
          {numbers.rateText ?? "measuring the rate…"}
        </span>
      </div>
      <div
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        role="progressbar"
        aria-label="Data left on the current lease"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div
          className={`h-full ${paused ? "bg-amber-500" : low ? "bg-rose-500" : "bg-sky-500"} transition-all`}
          style={{ width: `${percent}%` }}
        />
      </div>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" data-testid="data-renewal">
        {data.renewMegabytes
          ? `Auto-renew buys ${data.renewMegabytes} MB more (${data.pricePerMb.formatted}/MB) before it runs out.`
          : `Auto-renew is off: the lease ends when the data runs out (${data.pricePerMb.formatted}/MB).`}
      </p>
    </div>
  );
}
