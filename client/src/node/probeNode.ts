import type { NodeInfo } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import { type FetchLike, fetchNodeInfo } from "./nodeApi.ts";

export type NodeProbe = { info: NodeInfo; latencyMs: number };

// Round trips on one machine take well under a millisecond: the wall clock's whole milliseconds would make
// every local node equally fast.
const monotonicClock: Pick<Clock, "now"> = { now: () => performance.now() };

/**
 * A node's info together with how fast it answers, for choosing a node. Reads `GET /` `samples` times in a
 * row and reports the median round trip: the first request also pays for the TCP connection, so one sample
 * alone would rank nodes by connection set-up.
 */
export async function probeNode(
  nodeUrl: string,
  options: { samples?: number; fetch?: FetchLike; timeoutMs?: number; clock?: Pick<Clock, "now"> } = {},
): Promise<NodeProbe> {
  const clock = options.clock ?? monotonicClock;
  const samples = Math.max(1, options.samples ?? 3);
  const times: number[] = [];
  let info: NodeInfo | null = null;
  for (let i = 0; i < samples; i++) {
    const started = clock.now();
    info = await fetchNodeInfo(nodeUrl, { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 5_000 });
    times.push(clock.now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)] ?? 0;
  return { info: info as NodeInfo, latencyMs: Math.max(0, Math.round(middle * 10) / 10) };
}
