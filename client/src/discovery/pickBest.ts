// The node `connect --best` pays: among verified nodes (in `region`, when given), the lowest-latency group is
// every node within max(2 × best, best + 20 ms) of the fastest; of those, the cheapest per minute (then per MB,
// then the faster, then the lower id). Loopback and same-city latencies differ by fractions of a millisecond
// that say nothing, so price decides among nodes that are about as fast; a node twice as slow is not "about".
import type { DiscoveredNode } from "./discoverNodes.ts";

export const LATENCY_SLACK_MS = 20;
export const LATENCY_SLACK_FACTOR = 2;

/**
 * The latency a node may have and still count as one of the fastest, given the fastest's. `slackMs` (default
 * 20) is how much slower than the fastest a node may be and still compete on price.
 */
export const latencyCutoff = (bestMs: number, slackMs = LATENCY_SLACK_MS): number =>
  Math.max(LATENCY_SLACK_FACTOR * bestMs, bestMs + slackMs);

export function pickBest(
  nodes: DiscoveredNode[],
  options: { region?: string; slackMs?: number } = {},
): DiscoveredNode | undefined {
  const region = options.region?.toUpperCase();
  const candidates = nodes.filter(
    (node) =>
      node.trust === "verified" &&
      node.latencyMs !== null &&
      node.entry.status === "active" &&
      (region === undefined || node.entry.country === region),
  );
  if (candidates.length === 0) return undefined;
  const best = Math.min(...candidates.map((node) => node.latencyMs as number));
  const fast = candidates.filter((node) => (node.latencyMs as number) <= latencyCutoff(best, options.slackMs));
  return fast.sort(byPriceThenLatency)[0];
}

function byPriceThenLatency(a: DiscoveredNode, b: DiscoveredNode): number {
  return (
    compareBig(a.entry.pricePerMinute, b.entry.pricePerMinute) ||
    compareBig(a.entry.pricePerMb, b.entry.pricePerMb) ||
    (a.latencyMs as number) - (b.latencyMs as number) ||
    a.entry.id.localeCompare(b.entry.id)
  );
}

const compareBig = (a: string, b: string): number => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
