// Discovery, as the CLI and the desktop app use it: the registry's entries (from the on-disk index, brought up
// to date), every active one probed under one deadline, and each answer cross-checked against its entry. A node
// whose signed challenge is cached (proofCache.ts) is read without one and only its fields are checked: signing
// and verifying a thousand challenges on every discovery costs seconds of CPU and proves nothing a payment
// relies on, since connect proves its node afresh (proveNode.ts) before paying.
import { randomBytes } from "node:crypto";
import type { NodeInfo, RegistryDeployment, RegistryEntry } from "@wg402/shared";
import type { PublicClient } from "viem";
import { type FetchLike, normalizeNodeUrl } from "../node/nodeApi.ts";
import { startChallengePool } from "./challengePool.ts";
import { type CrossCheck, crossCheck, crossCheckProven, TrustProblem } from "./crossCheck.ts";
import { readIndexCache } from "./indexCache.ts";
import {
  DEFAULT_PROBE_DEADLINE_MS,
  DEFAULT_PROBE_SAMPLES,
  type ProbeOutcome,
  type ProbeTarget,
  probeNodes,
} from "./probeNodes.ts";
import { type NodeProof, PROOF_TTL_MS, readProofs, updateProofs, validProof } from "./proofCache.ts";
import { loadRegistryIndex } from "./registryIndex.ts";

export { pickBest } from "./pickBest.ts";
export { forgetProof, PROOF_TTL_MS } from "./proofCache.ts";
export { type FreshProof, proveAfresh } from "./proveNode.ts";

export type DiscoveredNode = {
  entry: RegistryEntry;
  url: string;
  trust: "verified" | "untrusted" | "unreachable";
  /** Machine-readable reasons an answering node is untrusted (crossCheck.ts's TrustProblem); empty otherwise. */
  problems: string[];
  /** Median of timed `GET /` round trips; null when the deadline came before any (or the node never answered). */
  latencyMs: number | null;
  /** The answer the cross-check judged (carrying the signed challenge unless the proof was cached). */
  info: NodeInfo | null;
  /** When the node last proved its key (ms since the epoch): now, or a cached proof's time; null if never. */
  provenAt: number | null;
};

export type DiscoveryResult = {
  /** Active entries: verified first, then untrusted, then unreachable; faster first within each. */
  nodes: DiscoveredNode[];
  /** Unbonding entries: listed so people see them go, never probed or offered. */
  leaving: RegistryEntry[];
  /** Entries slashed below the minimum stake: neither offered nor leaving. */
  understaked: RegistryEntry[];
  indexedBlock: number;
  chainId: number;
  fromCache: boolean;
  /** Nodes challenged by this discovery (the others answered a plain read on a cached proof). */
  challenged: number;
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
  /** How long a signed challenge keeps a node verified (default PROOF_TTL_MS); 0: challenge every node. */
  proofTtlMs?: number;
  /** Milliseconds since the epoch, for the proofs' ages; default Date.now. */
  clock?: () => number;
};

const POOL_MIN_NODES = 64;
// Timed samples per node: three for a median, but one once there are so many nodes that extra samples only
// queue behind each other until the deadline (the identity read has already warmed each connection).
const MANY_NODES = 200;
const defaultSamples = (targets: number) => (targets > MANY_NODES ? 1 : DEFAULT_PROBE_SAMPLES);

const trustRank = { verified: 0, untrusted: 1, unreachable: 2 } as const;

export async function discoverNodes(options: DiscoverNodesOptions): Promise<DiscoveryResult> {
  const now = options.now ?? (() => performance.now());
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
  const started = now();
  const clock = options.clock ?? Date.now;
  const ttlMs = options.proofTtlMs ?? PROOF_TTL_MS;
  // Workers take longer to start than the index takes to read: when many challenges are likely, the pool
  // starts beside the read.
  const early = manyChallengesLikely(options, ttlMs, clock()).then((many) => (many ? startChallengePool() : null));
  let index: Awaited<ReturnType<typeof loadRegistryIndex>>;
  try {
    index = await loadRegistryIndex({
      publicClient: options.publicClient,
      registry: options.registry,
      cacheDir: options.cacheDir,
      ...(options.logChunkBlocks ? { logChunkBlocks: options.logChunkBlocks } : {}),
    });
  } catch (error) {
    void early.then((pool) => pool?.close());
    throw error;
  }
  const earlyPool = await early;
  const indexed = now();
  const region = options.region?.toUpperCase();
  const listed = index.entries.filter((entry) => region === undefined || entry.country === region);
  const active = listed.filter((entry) => entry.status === "active");

  const proofKey = { chainId: index.chainId, registry: options.registry.address };
  const cachedProofs = ttlMs > 0 ? await readProofs(options.cacheDir, proofKey) : new Map<string, NodeProof>();
  const startedAt = clock();

  const urls = new Map<string, string | null>(active.map((entry) => [entry.id, normalizedOrNull(entry.url)]));
  const proofs = new Map<string, NodeProof>();
  const targets: ProbeTarget[] = active.flatMap((entry) => {
    const url = urls.get(entry.id);
    if (!url) return [];
    const proof = validProof(cachedProofs.get(entry.id.toLowerCase()), entry, url, startedAt, ttlMs);
    if (!proof) return [{ id: entry.id, url }];
    proofs.set(entry.id, proof);
    return [{ id: entry.id, url, proven: { endpoint: proof.endpoint } }];
  });
  // One fresh challenge per discovery: an answer recorded earlier cannot be replayed into this one.
  const challenge = `0x${randomBytes(32).toString("hex")}` as const;
  const byId = new Map(active.map((entry) => [entry.id, entry]));
  // Checked as answers arrive, on worker threads when many are to be challenged (a worker takes longer to
  // start than a few dozen inline checks take): the deadline window then hides the signature work.
  const pool = targets.length - proofs.size >= POOL_MIN_NODES ? (earlyPool ?? startChallengePool()) : null;
  if (earlyPool && !pool) void earlyPool.close();
  const checks = new Map<string, Promise<CrossCheck>>();
  // Proven nodes whose answer named another endpoint than their proof's, and so were challenged after all.
  let reproven = 0;
  let probed: number;
  let nodes: DiscoveredNode[];
  try {
    const outcomes = await probeNodes(targets, {
      challenge,
      deadlineMs,
      samples: options.samples ?? defaultSamples(targets.length),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onAnswer: (target, info, challenged) => {
        const entry = byId.get(target.id) as RegistryEntry;
        if (challenged && proofs.has(target.id)) reproven++;
        const check = challenged
          ? crossCheck(entry, info, challenge, pool ? { verify: pool.verify } : {})
          : Promise.resolve(crossCheckProven(entry, info));
        checks.set(target.id, check);
        return check;
      },
    });
    probed = now();
    const provenNow = clock();
    nodes = await Promise.all(
      active.map((entry) =>
        judge(entry, urls.get(entry.id) ?? null, outcomes.get(entry.id), checks.get(entry.id), {
          cached: proofs.get(entry.id) ?? null,
          now: provenNow,
        }),
      ),
    );
  } finally {
    await pool?.close();
  }
  if (ttlMs > 0) await saveProofs(options.cacheDir, proofKey, nodes, cachedProofs, { now: clock(), ttlMs });

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
    chainId: index.chainId,
    fromCache: index.fromCache,
    challenged: targets.length - proofs.size + reproven,
    timings: { indexMs: round(indexed - started), probeMs: round(probed - indexed), checkMs: round(checked - probed) },
    deadlineMs,
  };
}

/**
 * Whether this discovery will likely challenge POOL_MIN_NODES or more: no index on disk yet (a first discovery,
 * size unknown), or a cached index with that many more active entries than live proofs.
 */
async function manyChallengesLikely(options: DiscoverNodesOptions, ttlMs: number, now: number): Promise<boolean> {
  const chainId = options.publicClient.chain?.id;
  if (chainId === undefined) return false;
  const key = { chainId, registry: options.registry.address };
  const [cached, proofs] = await Promise.all([
    readIndexCache(options.cacheDir, key),
    ttlMs > 0 ? readProofs(options.cacheDir, key) : new Map<string, NodeProof>(),
  ]);
  if (!cached) return true;
  const active = cached.entries.filter((entry) => entry.status === "active").length;
  const live = [...proofs.values()].filter((proof) => now - proof.provenAt < ttlMs).length;
  return active - live >= POOL_MIN_NODES;
}

async function judge(
  entry: RegistryEntry,
  url: string | null,
  outcome: ProbeOutcome | undefined,
  check: Promise<CrossCheck> | undefined,
  proof: { cached: NodeProof | null; now: number },
): Promise<DiscoveredNode> {
  if (url === null) {
    return {
      entry,
      url: entry.url,
      trust: "untrusted",
      problems: [TrustProblem.invalid_url],
      latencyMs: null,
      info: null,
      provenAt: null,
    };
  }
  if (!outcome?.ok || !check) {
    return { entry, url, trust: "unreachable", problems: [], latencyMs: null, info: null, provenAt: null };
  }
  const { trust, problems } = await check;
  const provenAt = trust !== "verified" ? null : outcome.challenged ? proof.now : (proof.cached?.provenAt ?? null);
  return { entry, url, trust, problems, latencyMs: outcome.latencyMs, info: outcome.info, provenAt };
}

/**
 * A node that answered its challenge now is proven from now; any node found untrusted loses its proof, so it
 * is challenged again once it looks right again. An unreachable node keeps its proof until the proof expires.
 */
async function saveProofs(
  cacheDir: string,
  key: { chainId: number; registry: string },
  nodes: DiscoveredNode[],
  cached: Map<string, NodeProof>,
  options: { now: number; ttlMs: number },
): Promise<void> {
  const put = new Map<string, NodeProof>();
  const drop: string[] = [];
  for (const node of nodes) {
    const id = node.entry.id.toLowerCase();
    if (node.trust === "untrusted" && cached.has(id)) drop.push(id);
    if (node.trust === "verified" && node.info && node.provenAt !== cached.get(id)?.provenAt) {
      put.set(id, {
        wireguardKey: node.entry.wireguardKey,
        signer: node.entry.signer,
        url: node.url,
        endpoint: node.info.endpoint,
        provenAt: node.provenAt ?? options.now,
      });
    }
  }
  if (put.size === 0 && drop.length === 0) return;
  // The proofs only save work: a cache that cannot be written costs challenges next time.
  await updateProofs(cacheDir, key, { put, drop }, options).catch(() => undefined);
}

function normalizedOrNull(url: string): string | null {
  try {
    return normalizeNodeUrl(url);
  } catch {
    return null;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
