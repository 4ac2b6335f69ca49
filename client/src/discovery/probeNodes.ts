// Probes many nodes at once under one deadline, at most `concurrency` requests in flight. Identity comes first
// for every node (a plain `GET /` for a node whose proof is cached, first of all since it costs no one any
// signature; else one `GET /?challenge=`; either warms the connection), latency after (probeNode's median of
// timed samples, no further warm-up): when there are more nodes than the deadline allows samples for, every
// node still gets its chance to answer, and a node that answered but was not timed has a null latency.
// Whatever has not answered at the deadline is unreachable, which is a state, not an error.
//
// Challenges are sent no faster than their answers are checked: at most `maxUnchecked` are asked or answered
// and not yet checked (the promise onAnswer returns). Each check is an ECDSA recovery of milliseconds, so
// unbounded, a thousand answers in the deadline would leave seconds of checks queued after it; bounded, the
// check work ends about when probing does, and latency samples use the time challenges wait for.
import type { NodeInfo } from "@wg402/shared";
import type { FetchLike } from "../node/nodeApi.ts";
import { fetchNodeInfo } from "../node/nodeApi.ts";
import { probeNode } from "../node/probeNode.ts";

export const DEFAULT_PROBE_DEADLINE_MS = 1_500;
export const DEFAULT_PROBE_CONCURRENCY = 64;
export const DEFAULT_PROBE_SAMPLES = 3;
// Enough to keep the checking workers busy while answers travel; few enough that the checks left at the
// deadline take tens of milliseconds.
export const DEFAULT_MAX_UNCHECKED = 16;

export type ProbeTarget = {
  id: string;
  url: string;
  /** A cached proof's endpoint: the node is read without a challenge unless its answer names another one. */
  proven?: { endpoint: string };
};

export type ProbeOutcome =
  /** `challenged`: `info` answers the challenge (false: a plain read of a node whose proof is cached). */
  | { ok: true; info: NodeInfo; latencyMs: number | null; challenged: boolean }
  | { ok: false; reason: "unreachable" | "deadline" };

export type ProbeNodesOptions = {
  challenge: `0x${string}`;
  fetch?: FetchLike;
  deadlineMs?: number;
  /** A single request's limit; default the whole deadline. */
  timeoutMs?: number;
  samples?: number;
  concurrency?: number;
  /** Challenges asked, or answered and not yet checked, at once; default DEFAULT_MAX_UNCHECKED. */
  maxUnchecked?: number;
  /**
   * Called as each node answers, so checking it can start while others are probed; a challenged answer's
   * check is the promise returned (none: checked already).
   */
  onAnswer?: (target: ProbeTarget, info: NodeInfo, challenged: boolean) => Promise<unknown> | undefined;
};

type Job = { kind: "identity" | "latency"; target: ProbeTarget };

export async function probeNodes(
  targets: ProbeTarget[],
  options: ProbeNodesOptions,
): Promise<Map<string, ProbeOutcome>> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_PROBE_CONCURRENCY);
  const samples = Math.max(1, options.samples ?? DEFAULT_PROBE_SAMPLES);
  const maxUnchecked = Math.max(1, options.maxUnchecked ?? DEFAULT_MAX_UNCHECKED);
  const timeoutMs = options.timeoutMs ?? deadlineMs;
  const outcomes = new Map<string, ProbeOutcome>();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const plain: Job[] = targets.filter((t) => t.proven).map((target) => ({ kind: "identity", target }));
  const challenges: Job[] = targets.filter((t) => !t.proven).map((target) => ({ kind: "identity", target }));
  const latency: Job[] = [];
  const request = { timeoutMs, signal: deadline.signal, ...(options.fetch ? { fetch: options.fetch } : {}) };

  let running = 0;
  let unchecked = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const checked = () => {
    unchecked--;
    pump();
  };
  const identify = async ({ id, url, proven }: ProbeTarget) => {
    try {
      const info = await fetchNodeInfo(url, proven ? request : { ...request, challenge: options.challenge });
      if (deadline.signal.aborted) return proven ? undefined : checked();
      if (proven && info.endpoint !== proven.endpoint) {
        // The cached signature covers another endpoint: this answer must be proven afresh, next in line.
        challenges.unshift({ kind: "identity", target: { id, url } });
        return;
      }
      outcomes.set(id, { ok: true, info, latencyMs: null, challenged: !proven });
      latency.push({ kind: "latency", target: { id, url } });
      const check = options.onAnswer?.({ id, url, ...(proven ? { proven } : {}) }, info, !proven);
      if (!proven) {
        if (check) void check.then(checked, checked);
        else checked();
      }
    } catch {
      if (!deadline.signal.aborted) outcomes.set(id, { ok: false, reason: "unreachable" });
      if (!proven) checked();
    }
  };
  const time = async ({ id, url }: ProbeTarget) => {
    try {
      const probe = await probeNode(url, { ...request, samples, warmup: 0 });
      const answered = outcomes.get(id);
      if (!deadline.signal.aborted && answered?.ok) outcomes.set(id, { ...answered, latencyMs: probe.latencyMs });
    } catch {
      // Answered once already: a failed sample leaves its latency unknown.
    }
  };
  const next = (): Job | undefined => {
    const read = plain.shift();
    if (read) return read;
    if (challenges.length > 0 && unchecked < maxUnchecked) {
      unchecked++;
      return challenges.shift();
    }
    return latency.shift();
  };
  const pump = () => {
    while (!deadline.signal.aborted && running < concurrency) {
      const job = next();
      if (!job) break;
      running++;
      void (job.kind === "identity" ? identify(job.target) : time(job.target)).finally(() => {
        running--;
        pump();
      });
    }
    // Done when nothing runs and nothing waits (challenges held back wait for checks, which call pump).
    if (running === 0 && plain.length + challenges.length + latency.length === 0) finish();
  };
  deadline.signal.addEventListener("abort", () => finish(), { once: true });
  pump();
  await finished;
  clearTimeout(timer);
  deadline.abort();
  // A copy: probes still unwinding from the abort must not change the answer after it is given.
  return new Map(targets.map((t) => [t.id, outcomes.get(t.id) ?? { ok: false, reason: "deadline" }]));
}
