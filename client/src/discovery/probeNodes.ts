// Probes many nodes at once under one deadline, at most `concurrency` requests in flight. Identity comes first
// for every node (one `GET /?challenge=`, which also warms the connection), latency after (probeNode's median
// of timed samples, no further warm-up): when there are more nodes than the deadline allows samples for, every
// node still gets its one chance to answer, and a node that answered but was not timed has a null latency.
// Whatever has not answered at the deadline is unreachable, which is a state, not an error.
import type { NodeInfo } from "@wg402/shared";
import type { FetchLike } from "../node/nodeApi.ts";
import { fetchNodeInfo } from "../node/nodeApi.ts";
import { probeNode } from "../node/probeNode.ts";

export const DEFAULT_PROBE_DEADLINE_MS = 1_500;
export const DEFAULT_PROBE_CONCURRENCY = 64;
export const DEFAULT_PROBE_SAMPLES = 3;

export type ProbeTarget = { id: string; url: string };

export type ProbeOutcome =
  | { ok: true; info: NodeInfo; latencyMs: number | null }
  | { ok: false; reason: "unreachable" | "deadline" };

export type ProbeNodesOptions = {
  challenge: `0x${string}`;
  fetch?: FetchLike;
  deadlineMs?: number;
  /** A single request's limit; default the whole deadline. */
  timeoutMs?: number;
  samples?: number;
  concurrency?: number;
  /** Called as each node answers its challenge, so checking it can start while others are probed. */
  onAnswer?: (target: ProbeTarget, info: NodeInfo) => void;
};

type Job = { kind: "identity" | "latency"; target: ProbeTarget };

export async function probeNodes(
  targets: ProbeTarget[],
  options: ProbeNodesOptions,
): Promise<Map<string, ProbeOutcome>> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_PROBE_CONCURRENCY);
  const samples = Math.max(1, options.samples ?? DEFAULT_PROBE_SAMPLES);
  const timeoutMs = options.timeoutMs ?? deadlineMs;
  const outcomes = new Map<string, ProbeOutcome>();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const identity: Job[] = targets.map((target) => ({ kind: "identity", target }));
  const latency: Job[] = [];
  const request = { timeoutMs, signal: deadline.signal, ...(options.fetch ? { fetch: options.fetch } : {}) };

  let running = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const run = async (job: Job) => {
    const { id, url } = job.target;
    try {
      if (job.kind === "identity") {
        const info = await fetchNodeInfo(url, { ...request, challenge: options.challenge });
        if (deadline.signal.aborted) return;
        outcomes.set(id, { ok: true, info, latencyMs: null });
        options.onAnswer?.(job.target, info);
        latency.push({ kind: "latency", target: job.target });
      } else {
        const probe = await probeNode(url, { ...request, samples, warmup: 0 });
        const answered = outcomes.get(id);
        if (!deadline.signal.aborted && answered?.ok) outcomes.set(id, { ...answered, latencyMs: probe.latencyMs });
      }
    } catch {
      if (job.kind === "identity" && !deadline.signal.aborted) outcomes.set(id, { ok: false, reason: "unreachable" });
    }
  };
  const pump = () => {
    while (!deadline.signal.aborted && running < concurrency) {
      const job = identity.shift() ?? latency.shift();
      if (!job) break;
      running++;
      void run(job).finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0) finish();
  };
  deadline.signal.addEventListener("abort", () => finish(), { once: true });
  pump();
  await finished;
  clearTimeout(timer);
  deadline.abort();
  // A copy: probes still unwinding from the abort must not change the answer after it is given.
  return new Map(targets.map((t) => [t.id, outcomes.get(t.id) ?? { ok: false, reason: "deadline" }]));
}
