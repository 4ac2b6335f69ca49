// Signed-challenge proofs, kept beside the registry index (one file per chain and registry): a node that proved
// it holds its registered signer's key is not asked to sign again on every discovery, only probed with a plain
// `GET /` whose fields are still checked. Nothing is paid on a listing alone (connect proves the chosen node
// afresh, and the WireGuard handshake needs the node's private key), so a proof some minutes old is enough to
// list a node as verified. A proof counts only while the entry names the same key, signer and URL, and only
// for PROOF_TTL_MS. A file that does not parse, or is another chain's or registry's, is ignored.
import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { EvmAddress, type RegistryEntry } from "@wg402/shared";
import { isAddressEqual } from "viem";
import { z } from "zod";
import { readIfPresent } from "../files/readIfPresent.ts";
import type { IndexCacheKey } from "./indexCache.ts";

export const PROOF_CACHE_VERSION = 1;
/** How long a signed challenge keeps a node verified without another. */
export const PROOF_TTL_MS = 10 * 60_000;

export const NodeProof = z.object({
  wireguardKey: z.string(),
  signer: EvmAddress,
  url: z.string(),
  /** The WireGuard endpoint the signature covered: an answer naming another one is challenged again. */
  endpoint: z.string(),
  /** When the challenge was verified, in ms since the epoch. */
  provenAt: z.number().int().nonnegative(),
});
export type NodeProof = z.infer<typeof NodeProof>;

export const ProofCache = z.object({
  version: z.literal(PROOF_CACHE_VERSION),
  chainId: z.number().int().positive(),
  registry: EvmAddress,
  /** By entry id (lower-case). */
  proofs: z.record(z.string(), NodeProof),
});
export type ProofCache = z.infer<typeof ProofCache>;

export type ProofChanges = { put?: Map<string, NodeProof>; drop?: Iterable<string> };

const PREFIX = "proofs-";

export function proofCachePath(cacheDir: string, key: IndexCacheKey): string {
  return join(cacheDir, `${PREFIX}${key.chainId}-${key.registry.toLowerCase()}.json`);
}

/** The proofs on disk for `key` (empty when there are none or the file cannot be trusted to be this registry's). */
export async function readProofs(cacheDir: string, key: IndexCacheKey): Promise<Map<string, NodeProof>> {
  const cache = await readFileAt(proofCachePath(cacheDir, key));
  if (!cache || cache.chainId !== key.chainId || cache.registry.toLowerCase() !== key.registry.toLowerCase()) {
    return new Map();
  }
  return new Map(Object.entries(cache.proofs));
}

/** `proof` if it still vouches for `entry` served at `url` at `now`, else null. */
export function validProof(
  proof: NodeProof | undefined,
  entry: Pick<RegistryEntry, "wireguardKey" | "signer">,
  url: string,
  now: number,
  ttlMs: number,
): NodeProof | null {
  if (!proof || ttlMs <= 0) return null;
  const age = now - proof.provenAt;
  if (age < 0 || age >= ttlMs) return null;
  if (proof.wireguardKey !== entry.wireguardKey || proof.url !== url) return null;
  try {
    if (!isAddressEqual(proof.signer as `0x${string}`, entry.signer as `0x${string}`)) return null;
  } catch {
    return null;
  }
  return proof;
}

/**
 * Applies `changes` to the file as it is now (re-read, so another process's proofs and removals since this one
 * read it survive), drops proofs older than `ttlMs`, and writes it atomically. Failing to write only costs
 * challenges later, so callers may ignore the error.
 */
export async function updateProofs(
  cacheDir: string,
  key: IndexCacheKey,
  changes: ProofChanges,
  options: { now: number; ttlMs?: number },
): Promise<void> {
  const ttlMs = options.ttlMs ?? PROOF_TTL_MS;
  const proofs = await readProofs(cacheDir, key);
  for (const id of changes.drop ?? []) proofs.delete(id.toLowerCase());
  for (const [id, proof] of changes.put ?? []) proofs.set(id.toLowerCase(), proof);
  for (const [id, proof] of proofs) {
    const age = options.now - proof.provenAt;
    if (age < 0 || age >= ttlMs) proofs.delete(id);
  }
  const path = proofCachePath(cacheDir, key);
  await writeAtomically(path, {
    version: PROOF_CACHE_VERSION,
    chainId: key.chainId,
    registry: key.registry.toLowerCase(),
    proofs: Object.fromEntries(proofs),
  });
}

/**
 * Removes the proof of entry `id` from every proof file under `cacheDir`, for a caller that knows the node
 * failed a fresh challenge but not which chain's file holds it (ids are WireGuard keys: forgetting one
 * everywhere only costs a challenge).
 */
export async function forgetProof(cacheDir: string, id: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const lower = id.toLowerCase();
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith(".json")) continue;
    const path = join(cacheDir, name);
    const cache = await readFileAt(path);
    if (!cache?.proofs[lower]) continue;
    delete cache.proofs[lower];
    await writeAtomically(path, cache).catch(() => undefined);
  }
}

async function readFileAt(path: string): Promise<ProofCache | null> {
  let text: string | null;
  try {
    text = await readIfPresent(path);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const parsed = ProofCache.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function writeAtomically(path: string, cache: ProofCache): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(ProofCache.parse(cache))}\n`);
  await rename(tmp, path);
}
