import type { NodeInfo } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import { type FetchLike, fetchNodeInfo } from "./nodeApi.ts";
import { countryName } from "./regionName.ts";

export type NodeProbe = {
  info: NodeInfo;
  /** Median round trip of `GET /` after a warm-up, in ms (one decimal). */
  latencyMs: number;
  /** The country the node's region names (an ISO 3166 alpha-2 code), or null. */
  country: string | null;
};

export type ProbeNodeOptions = {
  /** Timed requests; default 5. */
  samples?: number;
  /** Untimed requests first, which pay for the connection (TCP, the server's first-request work); default 1. */
  warmup?: number;
  fetch?: FetchLike;
  timeoutMs?: number;
  clock?: Pick<Clock, "now">;
  /** Aborts every request (a caller's overall deadline). */
  signal?: AbortSignal;
};

// Round trips on one machine take well under a millisecond: the wall clock's whole milliseconds would make
// every local node equally fast.
const monotonicClock: Pick<Clock, "now"> = { now: () => performance.now() };

/**
 * A node's info (read afresh, so capacity is current) together with how fast it answers, for choosing a
 * node: after `warmup` untimed requests, the median of `samples` timed ones. Without the warm-up the first
 * request's connection set-up (100 ms against a loopback node whose real round trip is 0.3 ms) ranks nodes
 * by how cold they were.
 */
export async function probeNode(nodeUrl: string, options: ProbeNodeOptions = {}): Promise<NodeProbe> {
  const clock = options.clock ?? monotonicClock;
  const samples = Math.max(1, options.samples ?? 5);
  const warmup = Math.max(0, options.warmup ?? 1);
  const read = () =>
    fetchNodeInfo(nodeUrl, {
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  let info: NodeInfo | null = null;
  for (let i = 0; i < warmup; i++) info = await read();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = clock.now();
    info = await read();
    times.push(clock.now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)] ?? 0;
  const node = info as NodeInfo;
  return { info: node, latencyMs: Math.max(0, Math.round(middle * 10) / 10), country: countryName(node.region) };
}
