// The registry's views and events as the index reads them: whole pages at one pinned block (a cold start),
// the ids a block range touched (a refresh), and the current entries of those ids in one multicall.
import { decodeRegistryEntry, nodeRegistryAbi, type RegistryEntry, type RegistryNodeStruct } from "@wg402/shared";
import { type Address, type Hex, type PublicClient, toEventSelector } from "viem";

/** The contract's MAX_PAGE. */
export const REGISTRY_PAGE = 200;
/** Blocks per eth_getLogs request: under the range limit of common RPC providers. */
export const DEFAULT_LOG_CHUNK_BLOCKS = 5_000;
// Parallel pages or log chunks: enough to hide latency, few enough not to be rate limited.
const PARALLEL_READS = 4;
// Multicall calldata per eth_call, in bytes: ~450 `node(id)` calls, well under any eth_call gas cap.
const MULTICALL_BATCH_BYTES = 16_384;

/** Every event of the registry names the entry it touched as its first indexed topic. */
const entryEventSelectors = new Set(
  nodeRegistryAbi
    .filter((item) => item.type === "event" && item.inputs[0]?.name === "id" && item.inputs[0].indexed)
    .map((item) => toEventSelector(item as never).toLowerCase()),
);

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Every entry, as of `blockNumber` (pinned, so an entry removed mid-read cannot shift another out of view). */
export async function readAllEntries(
  client: PublicClient,
  address: Address,
  blockNumber: bigint,
): Promise<RegistryEntry[]> {
  const count = Number(
    await client.readContract({ address, abi: nodeRegistryAbi, functionName: "nodeCount", blockNumber }),
  );
  const offsets = Array.from({ length: Math.ceil(count / REGISTRY_PAGE) }, (_, i) => BigInt(i * REGISTRY_PAGE));
  const pages = await inBatches(offsets, PARALLEL_READS, (offset) =>
    client.readContract({
      address,
      abi: nodeRegistryAbi,
      functionName: "nodesPage",
      args: [offset, BigInt(REGISTRY_PAGE)],
      blockNumber,
    }),
  );
  return pages.flatMap(([ids, entries, active]) =>
    ids.map((id, i) => decodeRegistryEntry(id, entries[i] as RegistryNodeStruct, active[i] === true)),
  );
}

/** The ids of entries any event in [fromBlock, toBlock] touched. */
export async function touchedIds(
  client: PublicClient,
  address: Address,
  range: { fromBlock: bigint; toBlock: bigint; chunkBlocks?: number },
): Promise<Hex[]> {
  const chunk = BigInt(range.chunkBlocks ?? DEFAULT_LOG_CHUNK_BLOCKS);
  const starts: bigint[] = [];
  for (let from = range.fromBlock; from <= range.toBlock; from += chunk) starts.push(from);
  const chunks = await inBatches(starts, PARALLEL_READS, (from) => {
    const to = from + chunk - 1n < range.toBlock ? from + chunk - 1n : range.toBlock;
    return client.getLogs({ address, fromBlock: from, toBlock: to });
  });
  const ids = new Set<Hex>();
  for (const log of chunks.flat()) {
    const [selector, id] = log.topics;
    if (selector && id && entryEventSelectors.has(selector.toLowerCase())) ids.add(id.toLowerCase() as Hex);
  }
  return [...ids];
}

/** The entries of `ids` as of `blockNumber`; null for an id with no entry (withdrawn). */
export async function readEntries(
  client: PublicClient,
  address: Address,
  ids: Hex[],
  blockNumber: bigint,
): Promise<Map<Hex, RegistryEntry | null>> {
  const out = new Map<Hex, RegistryEntry | null>();
  if (ids.length === 0) return out;
  const contracts = ids.flatMap((id) => [
    { address, abi: nodeRegistryAbi, functionName: "node", args: [id] } as const,
    { address, abi: nodeRegistryAbi, functionName: "isActive", args: [id] } as const,
  ]);
  const results = await client.multicall({
    contracts,
    allowFailure: false,
    blockNumber,
    batchSize: MULTICALL_BATCH_BYTES,
  });
  ids.forEach((id, i) => {
    const node = results[2 * i] as RegistryNodeStruct;
    const active = results[2 * i + 1] as boolean;
    const gone = /^0x0{40}$/i.test(node.operator);
    out.set(id, gone ? null : decodeRegistryEntry(id, node, active));
  });
  return out;
}
