import { useEffect, useMemo, useState } from "react";
import { groupNodes, type NodeGroups, type NodeSortKey, rankNodes, selectable } from "../model/nodeRanking.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { NodeRow } from "./NodeRow.tsx";
import { Button, Card } from "./primitives.tsx";

/** How often the list is read again while shown: the host re-reads every node's capacity on each read. */
const RELIST_MS = 15_000;

const SORTS: { key: NodeSortKey; label: string }[] = [
  { key: "price", label: "Price" },
  { key: "latency", label: "Latency" },
  { key: "region", label: "Region" },
  { key: "capacity", label: "Capacity" },
];

const GROUPS: { key: keyof NodeGroups; title: string; note: string }[] = [
  {
    key: "registry",
    title: "From the registry",
    note: "Listed on-chain with a stake; each node's answer is checked against its entry.",
  },
  { key: "custom", title: "Custom nodes", note: "Added by hand or by the local setup; not checked on-chain." },
];

/**
 * Every known node as a radio choice, the registry's first and the custom ones after, sortable, with the
 * cheapest and the fastest marked. An untrusted node is shown with its reasons, but cannot be chosen.
 */
export function NodeList({ selected, onSelect }: { selected: string | null; onSelect: (url: string) => void }) {
  const store = useStore();
  const nodes = useSelect((s) => s.nodes);
  const [sort, setSort] = useState<NodeSortKey>("price");
  const [descending, setDescending] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  const ranked = useMemo(() => rankNodes(nodes ?? [], sort, descending), [nodes, sort, descending]);
  const groups = useMemo(() => groupNodes(ranked), [ranked]);
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
        <fieldset className="flex flex-col gap-4">
          <legend className="sr-only">Choose a node</legend>
          {GROUPS.map(({ key, title, note }) =>
            groups[key].length === 0 ? null : (
              <section key={key} data-testid={`node-group-${key}`} aria-label={title}>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                  {title}
                </h3>
                <p className="mb-2 text-[11px] text-slate-500 dark:text-slate-400">{note}</p>
                <ul className="flex flex-col gap-2">
                  {groups[key].map((node) => (
                    <li key={node.url}>
                      <label
                        className={`flex cursor-pointer items-start gap-3 rounded-xl p-3 ring-1 transition ${
                          selected === node.url
                            ? "bg-indigo-50 ring-2 ring-indigo-500 dark:bg-indigo-950/40"
                            : node.trust === "untrusted"
                              ? "ring-rose-300 dark:ring-rose-800"
                              : "ring-slate-200 hover:bg-slate-50 dark:ring-slate-800 dark:hover:bg-slate-800/60"
                        } ${selectable(node) ? "" : "cursor-not-allowed opacity-70"}`}
                      >
                        <input
                          type="radio"
                          name="node"
                          value={node.url}
                          checked={selected === node.url}
                          disabled={!selectable(node)}
                          onChange={() => onSelect(node.url)}
                          className="mt-1 h-4 w-4 accent-indigo-600"
                        />
                        <NodeRow node={node} />
                      </label>
                    </li>
                  ))}
                </ul>
              </section>
            ),
          )}
        </fieldset>
      )}
    </Card>
  );
}
