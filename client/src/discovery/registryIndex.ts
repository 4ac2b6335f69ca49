// The client's view of the NodeRegistry: every entry as of one block, kept on disk and brought up to date by
// reading only what changed since. Status never changes with time alone (stake and unbonding both emit
// events; only *withdrawing* waits for the clock, and a withdrawal is an event), so a cache that has seen
// every event up to a block is exact for that block.
//
// Cold start pages through `nodesPage` at a pinned head block rather than replaying logs from the deploy
// block: its cost is ceil(n / 200) eth_calls (5 for 1,000 nodes) whatever the chain's age, whereas logs from
// deployBlock cost one eth_getLogs per 5,000 blocks since the deployment (hundreds on a public chain months
// after deploy) plus a read of every id they name. It also works with only the registry's address.
import type { RegistryDeployment, RegistryEntry } from "@wg402/shared";
import type { Address, Hex, PublicClient } from "viem";
import { readIndexCache, writeIndexCache } from "./indexCache.ts";
import { readAllEntries, readEntries, touchedIds } from "./registryReads.ts";

export type RegistryIndex = {
  entries: RegistryEntry[];
  /** The block the entries reflect. */
  indexedBlock: number;
  /** The chain's id: with the registry's address, the key of every file kept beside the index. */
  chainId: number;
  /** True when an index on disk was brought up to date; false when it was rebuilt from the chain. */
  fromCache: boolean;
  /** Entries re-read by this refresh (every entry on a cold start). */
  refreshed: number;
};

export type LoadRegistryIndexOptions = {
  publicClient: PublicClient;
  registry: Pick<RegistryDeployment, "address">;
  cacheDir: string;
  logChunkBlocks?: number;
};

export async function loadRegistryIndex(options: LoadRegistryIndexOptions): Promise<RegistryIndex> {
  const { publicClient: client, cacheDir } = options;
  const address = options.registry.address as Address;
  const [chainId, head] = await Promise.all([
    client.chain?.id ?? client.getChainId(),
    client.getBlock({ blockTag: "latest" }),
  ]);
  const key = { chainId, registry: address };
  const headNumber = head.number as bigint;
  // The file only saves work: a home that cannot be written (read-only, full) costs a cold start next time.
  const save = (entries: RegistryEntry[]) =>
    writeIndexCache(cacheDir, {
      version: 1,
      chainId,
      registry: address.toLowerCase(),
      indexedBlock: Number(headNumber),
      indexedBlockHash: head.hash as Hex,
      entries,
    }).catch(() => undefined);

  const cache = await readIndexCache(cacheDir, key);
  if (cache && (await stillCanonical(client, cache, head))) {
    if (BigInt(cache.indexedBlock) === headNumber) {
      return { entries: cache.entries, indexedBlock: cache.indexedBlock, chainId, fromCache: true, refreshed: 0 };
    }
    const ids = await touchedIds(client, address, {
      fromBlock: BigInt(cache.indexedBlock) + 1n,
      toBlock: headNumber,
      ...(options.logChunkBlocks ? { chunkBlocks: options.logChunkBlocks } : {}),
    });
    const fresh = await readEntries(client, address, ids, headNumber);
    const byId = new Map(cache.entries.map((entry) => [entry.id.toLowerCase() as Hex, entry]));
    for (const [id, entry] of fresh) {
      if (entry) byId.set(id, entry);
      else byId.delete(id);
    }
    const entries = [...byId.values()];
    await save(entries);
    return { entries, indexedBlock: Number(headNumber), chainId, fromCache: true, refreshed: ids.length };
  }

  const entries = (await readAllEntries(client, address, headNumber)).map((entry) => ({
    ...entry,
    id: entry.id.toLowerCase(),
  }));
  await save(entries);
  return { entries, indexedBlock: Number(headNumber), chainId, fromCache: false, refreshed: entries.length };
}

/** Whether the cached block is still on the chain (a reorg replaced it, or the chain was reset: rebuild). */
async function stillCanonical(
  client: PublicClient,
  cache: { indexedBlock: number; indexedBlockHash: string },
  head: { number: bigint | null; hash: Hex | null },
): Promise<boolean> {
  const indexed = BigInt(cache.indexedBlock);
  if (head.number === null || indexed > head.number) return false;
  if (indexed === head.number) return head.hash?.toLowerCase() === cache.indexedBlockHash.toLowerCase();
  const block = await client.getBlock({ blockNumber: indexed }).catch(() => null);
  return block?.hash?.toLowerCase() === cache.indexedBlockHash.toLowerCase();
}
