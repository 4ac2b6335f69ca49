import { useEffect, useMemo, useState } from "react";
import { flagEmojiSupported } from "../flagSupport.ts";
import { formatLatency, humanSentence } from "../model/format.ts";
import { type NodeSortKey, rankNodes } from "../model/nodeRanking.ts";
import { regionLabel } from "../model/region.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { Button, Card } from "./primitives.tsx";

/** How often the list is read again while shown: the host re-reads every node's capacity on each read. */
const RELIST_MS = 15_000;

const SORTS: { key: NodeSortKey; label: string }[] = [
  { key: "price", label: "Price" },
  { key: "latency", label: "Latency" },
  { key: "region", label: "Region" },
  { key: "capacity", label: "Capacity" },
];

/** Every known node as a radio choice, sortable, with the cheapest and the fastest marked. */
export function NodeList({ selected, onSelect }: { selected: string | null; onSelect: (url: string) => void }) {
  const store = useStore();
  const nodes = useSelect((s) => s.nodes);
  const [sort, setSort] = useState<NodeSortKey>("price");
  const [descending, setDescending] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  const ranked = useMemo(() => rankNodes(nodes ?? [], sort, descending), [nodes, sort, descending]);
  useEffect(() => {
    const timer = setInterval(() => void store.call("nodes.list", undefined).catch(() => undefined), RELIST_MS);
    return () => clearInterval(timer);
  }, [store]);

  const refresh = async () => {
    setRefreshing(true);
    await store.run("nodes.list", { refresh: true }, "Refreshing the node list").catch(() => undefined);
    setRefreshing(false);
  };
  const chooseSort = (key: NodeSortKey) => {
    if (key === sort) setDescending(!descending);
    else {
      setSort(key);
      setDescending(false);
    }
  };

  return (
    <Card
      title="Nodes"
      actions={
        <Button onClick={refresh} disabled={refreshing}>
          {refreshing ? "Measuring…" : "Refresh"}
        </Button>
      }
    >
      <fieldset className="mb-3 flex flex-wrap items-center gap-1">
        <legend className="float-left mr-1 text-xs text-slate-500 dark:text-slate-400">Sort by</legend>
        {SORTS.map((s) => (
          <button
            key={s.key}
            type="button"
            aria-pressed={sort === s.key}
            onClick={() => chooseSort(s.key)}
            className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ${
              sort === s.key
                ? "bg-indigo-600 text-white ring-indigo-600"
                : "ring-slate-300 hover:bg-slate-100 dark:ring-slate-700 dark:hover:bg-slate-800"
            }`}
          >
            {s.label}
            {sort === s.key ? (descending ? " ↓" : " ↑") : ""}
          </button>
        ))}
      </fieldset>
      {nodes === null ? (
        <p className="text-sm text-slate-500">Looking for nodes…</p>
      ) : ranked.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No node is known yet. Add one in Settings, or start the local stack with <code>npm start</code>.
        </p>
      ) : (
        <fieldset>
          <legend className="sr-only">Choose a node</legend>
          <ul className="flex flex-col gap-2">
            {ranked.map((node) => (
              <li key={node.url}>
                <label
                  className={`flex cursor-pointer items-start gap-3 rounded-xl p-3 ring-1 transition ${
                    selected === node.url
                      ? "bg-indigo-50 ring-2 ring-indigo-500 dark:bg-indigo-950/40"
                      : "ring-slate-200 hover:bg-slate-50 dark:ring-slate-800 dark:hover:bg-slate-800/60"
                  } ${node.reachable ? "" : "cursor-not-allowed opacity-70"}`}
                >
                  <input
                    type="radio"
                    name="node"
                    value={node.url}
                    checked={selected === node.url}
                    disabled={!node.reachable || node.capacity.available === 0}
                    onChange={() => onSelect(node.url)}
                    className="mt-1 h-4 w-4 accent-indigo-600"
                  />
                  {node.reachable ? (
                    <span className="flex min-w-0 flex-1 flex-col gap-1">
                      <span className="flex flex-wrap items-center gap-2">
                        <span className="font-semibold">{node.name}</span>
                        <span className="text-xs text-slate-500 dark:text-slate-400" title={node.region}>
                          {regionLabel(node.region, node.country, flagEmojiSupported())}
                        </span>
                        {node.cheapest && (
                          <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-[11px] font-semibold text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200">
                            Cheapest
                          </span>
                        )}
                        {node.fastest && (
                          <span className="rounded-full bg-sky-100 px-2 py-0.5 text-[11px] font-semibold text-sky-800 dark:bg-sky-900 dark:text-sky-200">
                            Fastest
                          </span>
                        )}
                      </span>
                      <span className="grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-slate-600 sm:grid-cols-4 dark:text-slate-300">
                        <span>
                          <span className="font-semibold tabular-nums">{node.pricePerMinute.formatted}</span>/min
                        </span>
                        <span className="tabular-nums">{node.pricePerHour.formatted}/h</span>
                        {node.data && (
                          <span data-testid="node-price-mb">
                            <span className="font-semibold tabular-nums">{node.data.pricePerMb.formatted}</span>/MB
                          </span>
                        )}
                        <span className="tabular-nums">{formatLatency(node.latencyMs)}</span>
                        <span className="tabular-nums">
                          {node.capacity.available} of {node.capacity.total} free
                        </span>
                      </span>
                      {node.scheme === "batch-settlement" && (
                        <span className="text-[11px] text-slate-600 dark:text-slate-300" data-testid="node-scheme">
                          Escrow channel: charged by the second, the rest refunded at disconnect.
                        </span>
                      )}
                      {node.secondsPerMinute !== 60 && (
                        <span className="text-[11px] text-amber-700 dark:text-amber-400">
                          Test node: a minute lasts {node.secondsPerMinute} s here.
                        </span>
                      )}
                      <span className="truncate text-[11px] text-slate-400">{node.url}</span>
                    </span>
                  ) : (
                    <span className="flex min-w-0 flex-1 flex-col gap-1">
                      <span className="truncate font-semibold">{node.url}</span>
                      <span className="text-xs">{humanSentence(node.error.message)}</span>
                      <span className="font-mono text-[11px] opacity-70">code: {node.error.error}</span>
                    </span>
                  )}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
    </Card>
  );
}
