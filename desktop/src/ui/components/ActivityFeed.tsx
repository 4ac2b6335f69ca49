import { useSelect } from "../storeContext.ts";
import { TxHash } from "./TxHash.tsx";

const dot = { info: "bg-slate-400", good: "bg-emerald-500", warn: "bg-amber-500", bad: "bg-rose-500" } as const;

/** What happened this session, newest first: payments with their tx hashes, warnings, failures. */
export function ActivityFeed() {
  const activity = useSelect((s) => s.activity);
  if (activity.length === 0) return null;
  return (
    <section aria-label="Activity">
      <h3 className="mb-2 text-sm font-semibold">Activity</h3>
      <ol className="flex max-h-64 flex-col gap-2 overflow-y-auto text-sm" data-testid="activity">
        {activity.map((item) => (
          <li key={item.id} className="flex gap-2">
            <span aria-hidden="true" className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${dot[item.tone]}`} />
            <span className="min-w-0">
              <span className="mr-2 text-xs text-slate-500 tabular-nums dark:text-slate-400">
                {new Date(item.at).toLocaleTimeString()}
              </span>
              {item.text}
              {item.code && <span className="ml-1 font-mono text-[11px] opacity-70">code: {item.code}</span>}
              {item.txHash !== undefined && (
                <span className="block">
                  <TxHash hash={item.txHash} url={item.txUrl} />
                </span>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
