// The proof asked of a node just before it is paid: a new challenge, signed by the entry's signer over the
// entry's WireGuard key and the endpoint the node names now, and the fresh answer's fields checked against the
// entry (crossCheck, and so judgeNodeIdentity). A listing may rest on a proof minutes old; a payment never does.
// The outcome goes to the proof cache: a pass renews the node's proof, a failure deletes it.
import { randomBytes } from "node:crypto";
import type { NodeInfo, RegistryEntry } from "@wg402/shared";
import { type FetchLike, fetchNodeInfo } from "../node/nodeApi.ts";
import { crossCheck } from "./crossCheck.ts";
import type { IndexCacheKey } from "./indexCache.ts";
import { forgetProof, PROOF_TTL_MS, updateProofs } from "./proofCache.ts";

export type FreshProof =
  /** `info`: the answer the signature covers, the one to pay on. */
  { ok: true; info: NodeInfo; provenAt: number } | { ok: false; problems: string[]; reason: string };

export type ProveAfreshOptions = {
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Where the node's cached proof lives; without `key`, a failure forgets it in every registry's file there. */
  cache?: { dir: string; key?: IndexCacheKey; ttlMs?: number };
  /** Milliseconds since the epoch. */
  clock?: () => number;
};

const DEFAULT_TIMEOUT_MS = 5_000;

export async function proveAfresh(
  node: { entry: RegistryEntry; url: string },
  options: ProveAfreshOptions = {},
): Promise<FreshProof> {
  const clock = options.clock ?? Date.now;
  const challenge = `0x${randomBytes(32).toString("hex")}` as const;
  const info = await fetchNodeInfo(node.url, {
    challenge,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }).catch(() => null);
  const check = info ? await crossCheck(node.entry, info, challenge) : null;
  const id = node.entry.id.toLowerCase();
  const cache = options.cache;
  if (info && check?.trust === "verified") {
    const provenAt = clock();
    if (cache?.key) {
      const proof = {
        wireguardKey: node.entry.wireguardKey,
        signer: node.entry.signer,
        url: node.url,
        endpoint: info.endpoint,
        provenAt,
      };
      await updateProofs(
        cache.dir,
        cache.key,
        { put: new Map([[id, proof]]) },
        { now: provenAt, ...(cache.ttlMs === undefined ? {} : { ttlMs: cache.ttlMs }) },
      ).catch(() => undefined);
    }
    return { ok: true, info, provenAt };
  }
  if (cache) {
    const forgot = cache.key
      ? updateProofs(cache.dir, cache.key, { drop: [id] }, { now: clock(), ttlMs: cache.ttlMs ?? PROOF_TTL_MS })
      : forgetProof(cache.dir, id);
    await forgot.catch(() => undefined);
  }
  if (!check) return { ok: false, problems: [], reason: "it did not answer a fresh challenge" };
  return { ok: false, problems: check.problems, reason: `its fresh answer fails: ${check.problems.join(", ")}` };
}
