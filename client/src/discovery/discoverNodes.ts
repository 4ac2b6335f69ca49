// Discovery, as the CLI and the desktop app use it: the registry's entries (from the on-disk index, brought up
// to date), every active one probed under one deadline, and each answer cross-checked against its entry.
import { randomBytes } from "node:crypto";
import type { NodeInfo, RegistryDeployment, RegistryEntry } from "@wg402/shared";
import type { PublicClient } from "viem";
import { type FetchLike, normalizeNodeUrl } from "../node/nodeApi.ts";
import { startChallengePool } from "./challengePool.ts";
import { type CrossCheck, crossCheck, TrustProblem } from "./crossCheck.ts";
import {
  DEFAULT_PROBE_DEADLINE_MS,
  DEFAULT_PROBE_SAMPLES,
  type ProbeOutcome,
  type ProbeTarget,
  probeNodes,
} from "./probeNodes.ts";
import { loadRegistryIndex } from "./registryIndex.ts";

export { pickBest } from "./pickBest.ts";

export type DiscoveredNode = {
  entry: RegistryEntry;
  url: string;
  trust: "verified" | "untrusted" | "unreachable";
  /** Machine-readable reasons an answering node is untrusted (crossCheck.ts's TrustProblem); empty otherwise. */
  problems: string[];
  /** Median of timed `GET /` round trips; null when the deadline came before any (or the node never answered). */
  latencyMs: number | null;
  /** The answer the cross-check judged (the one carrying the signed challenge). */
  info: NodeInfo | null;
};

export type DiscoveryResult = {
  /** Active entries: verified first, then untrusted, then unreachable; faster first within each. */
  nodes: DiscoveredNode[];
  /** Unbonding entries: listed so people see them go, never probed or offered. */
  leaving: RegistryEntry[];
  /** Entries slashed below the minimum stake: neither offered nor leaving. */
  understaked: RegistryEntry[];
  indexedBlock: number;
  fromCache: boolean;
  timings: { indexMs: number; probeMs: number; checkMs: number };
  deadlineMs: number;
};

export type DiscoverNodesOptions = {
  publicClient: PublicClient;
  registry: Pick<RegistryDeployment, "address">;
  cacheDir: string;
  fetch?: FetchLike;
  deadlineMs?: number;
  samples?: number;
  /** An ISO 3166 alpha-2 country: only its entries are probed and listed. */
  region?: string;
  /** Milliseconds, for the timings; default a monotonic clock. */
  now?: () => number;
  concurrency?: number;
  logChunkBlocks?: number;
};

const POOL_MIN_NODES = 64;

const trustRank = { verified: 0, untrusted: 1, unreachable: 2 } as const;

export async function discoverNodes(options: DiscoverNodesOptions): Promise<DiscoveryResult> {
  const now = options.now ?? (() => performance.now());
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const started = now();
  const index = await loadRegistryIndex({
    publicClient: options.publicClient,
    registry: options.registry,
    cacheDir: options.cacheDir,
    ...(options.logChunkBlocks ? { logChunkBlocks: options.logChunkBlocks } : {}),
  });
  const indexed = now();
  const region = options.region?.toUpperCase();
  const listed = index.entries.filter((entry) => region === undefined || entry.country === region);
  const active = listed.filter((entry) => entry.status === "active");

  const urls = new Map<string, string | null>(active.map((entry) => [entry.id, normalizedOrNull(entry.url)]));
  const targets: ProbeTarget[] = active.flatMap((entry) => {
    const url = urls.get(entry.id);
    return url ? [{ id: entry.id, url }] : [];
  });
  // One fresh challenge per discovery: an answer recorded earlier cannot be replayed into this one.
  const challenge = `0x${randomBytes(32).toString("hex")}` as const;
  const byId = new Map(active.map((entry) => [entry.id, entry]));
  // Checked as answers arrive, on worker threads when there are many (a worker takes longer to start than a
  // few dozen inline checks take): the deadline window then hides the signature work.
  const pool = targets.length >= POOL_MIN_NODES ? startChallengePool() : null;
  const checks = new Map<string, Promise<CrossCheck>>();
  let probed: number;
  let nodes: DiscoveredNode[];
  try {
    const outcomes = await probeNodes(targets, {
      challenge,
      deadlineMs,
      samples: options.samples ?? DEFAULT_PROBE_SAMPLES,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onAnswer: (target, info) => {
        const entry = byId.get(target.id) as RegistryEntry;
        checks.set(target.id, crossCheck(entry, info, challenge, pool ? { verify: pool.verify } : {}));
      },
    });
    probed = now();
    nodes = await Promise.all(
      active.map((entry) => judge(entry, urls.get(entry.id) ?? null, outcomes.get(entry.id), checks.get(entry.id))),
    );
  } finally {
    await pool?.close();
  }

  nodes.sort(
    (a, b) =>
      trustRank[a.trust] - trustRank[b.trust] ||
      (a.latencyMs ?? Number.POSITIVE_INFINITY) - (b.latencyMs ?? Number.POSITIVE_INFINITY) ||
      a.entry.id.localeCompare(b.entry.id),
  );
  const checked = now();
  return {
    nodes,
    leaving: listed.filter((entry) => entry.status === "leaving"),
    understaked: listed.filter((entry) => entry.status === "understaked"),
    indexedBlock: index.indexedBlock,
    fromCache: index.fromCache,
    timings: { indexMs: round(indexed - started), probeMs: round(probed - indexed), checkMs: round(checked - probed) },
    deadlineMs,
  };
}

async function judge(
  entry: RegistryEntry,
  url: string | null,
  outcome: ProbeOutcome | undefined,
  check: Promise<CrossCheck> | undefined,
): Promise<DiscoveredNode> {
  if (url === null) {
    return {
      entry,
      url: entry.url,
      trust: "untrusted",
      problems: [TrustProblem.invalid_url],
      latencyMs: null,
      info: null,
    };
  }
  if (!outcome?.ok || !check) return { entry, url, trust: "unreachable", problems: [], latencyMs: null, info: null };
  const { trust, problems } = await check;
  return { entry, url, trust, problems, latencyMs: outcome.latencyMs, info: outcome.info };
}

function normalizedOrNull(url: string): string | null {
  try {
    return normalizeNodeUrl(url);
  } catch {
    return null;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
