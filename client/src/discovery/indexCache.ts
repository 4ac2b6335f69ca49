// The registry index on disk: one JSON file per chain and registry, so a refresh reads only the blocks since
// the last one. A file that does not parse, or describes another chain or registry, is ignored: the index is
// rebuilt from the chain, which is always the truth.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EvmAddress, RegistryEntry } from "@wg402/shared";
import { z } from "zod";
import { readIfPresent } from "../files/readIfPresent.ts";

export const INDEX_CACHE_VERSION = 1;

export const RegistryIndexCache = z.object({
  version: z.literal(INDEX_CACHE_VERSION),
  chainId: z.number().int().positive(),
  registry: EvmAddress,
  /** The last block the entries reflect, and its hash: a different hash there later means a reorg. */
  indexedBlock: z.number().int().nonnegative(),
  indexedBlockHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  entries: z.array(RegistryEntry),
});
export type RegistryIndexCache = z.infer<typeof RegistryIndexCache>;

export type IndexCacheKey = { chainId: number; registry: string };

/** Where the index of one registry lives under `cacheDir`. */
export function indexCachePath(cacheDir: string, key: IndexCacheKey): string {
  return join(cacheDir, `registry-${key.chainId}-${key.registry.toLowerCase()}.json`);
}

/** The cached index for `key`, or null when there is none or it cannot be trusted to be this registry's. */
export async function readIndexCache(cacheDir: string, key: IndexCacheKey): Promise<RegistryIndexCache | null> {
  let text: string | null;
  try {
    text = await readIfPresent(indexCachePath(cacheDir, key));
  } catch {
    return null;
  }
  if (text === null) return null;
  let parsed: ReturnType<typeof RegistryIndexCache.safeParse>;
  try {
    parsed = RegistryIndexCache.safeParse(JSON.parse(text));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const cache = parsed.data;
  if (cache.chainId !== key.chainId || cache.registry.toLowerCase() !== key.registry.toLowerCase()) return null;
  return cache;
}

/** Written to a temporary file and renamed, so a reader (or a crash) never sees half an index. */
export async function writeIndexCache(cacheDir: string, cache: RegistryIndexCache): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const path = indexCachePath(cacheDir, cache);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(RegistryIndexCache.parse(cache))}\n`);
  await rename(tmp, path);
}
