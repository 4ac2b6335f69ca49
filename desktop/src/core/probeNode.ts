// Belongs in client/: a node's info together with how fast it answers, for choosing a node. The core reads
// node info but does not time it.
import { type FetchLike, fetchNodeInfo } from "@wg402/client";
import type { NodeInfo } from "@wg402/shared";

export type NodeProbe = { info: NodeInfo; latencyMs: number };

/**
 * Reads `GET /` `samples` times in a row and reports the median round trip: the first request also pays
 * for the TCP connection, so one sample alone would rank nodes by connection set-up.
 */
export async function probeNode(
  nodeUrl: string,
  options: { samples?: number; fetch?: FetchLike; timeoutMs?: number; now?: () => number } = {},
): Promise<NodeProbe> {
  const now = options.now ?? (() => performance.now());
  const samples = Math.max(1, options.samples ?? 3);
  const times: number[] = [];
  let info: NodeInfo | null = null;
  for (let i = 0; i < samples; i++) {
    const started = now();
    info = await fetchNodeInfo(nodeUrl, { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 5_000 });
    times.push(now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)] ?? 0;
  return { info: info as NodeInfo, latencyMs: Math.max(0, Math.round(middle * 10) / 10) };
}
