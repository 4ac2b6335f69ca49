// Ordering the node list and marking the cheapest and the fastest node.
import type { NodeView, ReachableNodeView } from "../../api/views.ts";

export type NodeSortKey = "price" | "latency" | "region" | "capacity";

export type RankedNode = NodeView & { cheapest: boolean; fastest: boolean };

/**
 * Nodes one can connect to now: reachable, with a free address, and not contradicting their registry entry
 * (an untrusted node is listed so people see it, but it is never chosen, by the user or by default).
 */
export function selectable(node: NodeView): node is ReachableNodeView {
  return node.reachable && node.capacity.available > 0 && node.trust !== "untrusted";
}

/** Price per wall-clock hour, so a node with short test minutes is compared fairly. */
function hourly(node: ReachableNodeView): bigint {
  return BigInt(node.pricePerHour.amount);
}

function compare(a: ReachableNodeView, b: ReachableNodeView, key: NodeSortKey): number {
  switch (key) {
    case "price": {
      const d = hourly(a) - hourly(b);
      return d === 0n ? a.latencyMs - b.latencyMs : d < 0n ? -1 : 1;
    }
    case "latency":
      return a.latencyMs - b.latencyMs || compare(a, b, "price");
    case "region":
      return a.region.localeCompare(b.region) || a.name.localeCompare(b.name);
    case "capacity":
      // Most room first.
      return b.capacity.available - a.capacity.available || compare(a, b, "price");
  }
}

/**
 * Sorted by `key` (ascending, or descending when `descending`), untrusted then unreachable nodes last. Prices are
 * only compared within one token: a node paid in another token is never called "cheapest".
 */
export function rankNodes(nodes: NodeView[], key: NodeSortKey, descending = false): RankedNode[] {
  const candidates = nodes.filter(selectable);
  const symbol = candidates[0]?.pricePerHour.symbol;
  const sameToken = candidates.filter((n) => n.pricePerHour.symbol === symbol);
  const cheapest = sameToken.slice().sort((a, b) => compare(a, b, "price"))[0];
  const fastest = candidates.slice().sort((a, b) => compare(a, b, "latency"))[0];
  const reachable = nodes.filter((n): n is ReachableNodeView => n.reachable);
  const unreachable = nodes.filter((n) => !n.reachable);
  const sorted = reachable.sort((a, b) => (descending ? -1 : 1) * compare(a, b, key));
  const many = candidates.length > 1;
  // An untrusted node answers, but is never a choice: after every node that is.
  const trusted = sorted.filter((n) => n.trust !== "untrusted");
  const untrusted = sorted.filter((n) => n.trust === "untrusted");
  return [...trusted, ...untrusted, ...unreachable].map((node) => ({
    ...node,
    // One usable node is not "the cheapest" of anything.
    cheapest: many && node === cheapest,
    fastest: many && node === fastest,
  }));
}

/**
 * The node the connect card uses: the user's pick while its node is listed (a probe that once finds it
 * unreachable must not swap it for another), else the cheapest usable one.
 */
export function chosenNode(selected: string | null, listed: NodeView[], usable: NodeView[]): string | null {
  if (selected && listed.some((n) => n.url === selected)) return selected;
  return rankNodes(usable, "price")[0]?.url ?? null;
}

export type NodeGroups = { registry: RankedNode[]; custom: RankedNode[] };

/** The registry's nodes and the custom ones (added by hand, the local stack's, WG402_UI_NODES), each in rank order. */
export function groupNodes(ranked: RankedNode[]): NodeGroups {
  return {
    registry: ranked.filter((node) => node.source === "registry"),
    custom: ranked.filter((node) => node.source !== "registry"),
  };
}
