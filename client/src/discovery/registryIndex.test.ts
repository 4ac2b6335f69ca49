// The registry index against a real hardhat chain and the real NodeRegistry: a cold build pages the views, a
// refresh re-reads only what events touched (register, update, stake, unbonding, slash, withdraw), and a
// cache that is corrupt, foreign or orphaned by a reorg is rebuilt rather than trusted.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import type { RegistryDeployment, RegistryNodeInfo } from "@wg402/shared";
import type { Hex } from "viem";
import { registryWriter } from "../testing/registryWriter.ts";
import { indexCachePath, readIndexCache } from "./indexCache.ts";
import { loadRegistryIndex } from "./registryIndex.ts";

let chain: LocalChain;
let writer: ReturnType<typeof registryWriter>;
let registry: RegistryDeployment;

const info = (n: number, over: Partial<RegistryNodeInfo> = {}): RegistryNodeInfo => ({
  wireguardKey: randomBytes(32).toString("base64"),
  payTo: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  signer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  pricePerMinute: String(1_000 + n),
  pricePerMb: "0",
  schemes: ["exact"],
  country: "DE",
  url: `http://127.0.0.1:9/n/${n}-${randomBytes(4).toString("hex")}`,
  label: `node ${n}`,
  ...over,
});

const freshDir = () => mkdtemp(join(tmpdir(), "wg402-index-"));
const load = (cacheDir: string, logChunkBlocks?: number) =>
  loadRegistryIndex({
    publicClient: writer.publicClient,
    registry,
    cacheDir,
    ...(logChunkBlocks ? { logChunkBlocks } : {}),
  });
const byId = (entries: { id: string }[]) => [...entries].sort((a, b) => a.id.localeCompare(b.id));

beforeAll(async () => {
  chain = await startLocalChain();
  registry = chain.stack.registry as RegistryDeployment;
  writer = registryWriter(chain.stack, chain.rpcUrl);
  await writer.fund(20);
}, 120_000);

afterAll(() => chain?.stop());

describe("the registry index", () => {
  it("builds cold from the views, then answers from its file while no block has passed", async () => {
    const dir = await freshDir();
    const nodes = [info(1), info(2), info(3)];
    await writer.register(nodes);
    const cold = await load(dir);
    expect(cold.fromCache).toBe(false);
    const ids = nodes.map((n) => writer.idOf(n).toLowerCase());
    for (const id of ids) expect(cold.entries.map((e) => e.id)).toContain(id);
    const first = cold.entries.find((e) => e.id === ids[0]);
    expect(first).toMatchObject({ status: "active", pricePerMinute: "1001", version: 1, label: "node 1" });
    expect(first?.wireguardKey).toBe(nodes[0]?.wireguardKey);

    const again = await load(dir);
    expect(again).toMatchObject({ fromCache: true, refreshed: 0, indexedBlock: cold.indexedBlock });
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refreshes from the events since its block: register, update, stake, unbonding, slash and withdraw", async () => {
    const dir = await freshDir();
    const [updated, leaving, slashed, gone, staked] = [info(10), info(11), info(12), info(13), info(14)];
    const all = [updated, leaving, slashed, gone, staked];
    await writer.register(all);
    await writer.startUnbonding([writer.idOf(gone)]);
    const before = await load(dir);
    expect(before.entries.find((e) => e.id === writer.idOf(gone).toLowerCase())?.status).toBe("leaving");

    const added = info(15);
    await writer.register([added]);
    await writer.update([{ info: { ...updated, pricePerMinute: "777", pricePerMb: "5" }, version: 1 }]);
    await writer.startUnbonding([writer.idOf(leaving)]);
    await writer.slash(writer.idOf(slashed), writer.minStake / 2n);
    await writer.addStake(writer.idOf(staked), 5n);
    await writer.increaseTime(registry.unbondingDelaySeconds + 1);
    await writer.withdraw([writer.idOf(gone)]);

    // Chunks of 2 blocks: the refresh spans several eth_getLogs requests.
    const after = await load(dir, 2);
    expect(after.fromCache).toBe(true);
    expect(after.refreshed).toBe(6);
    const entry = (n: RegistryNodeInfo) => after.entries.find((e) => e.id === writer.idOf(n).toLowerCase());
    expect(entry(added)).toMatchObject({ status: "active", label: "node 15" });
    expect(entry(updated)).toMatchObject({ pricePerMinute: "777", pricePerMb: "5", version: 2, status: "active" });
    expect(entry(leaving)?.status).toBe("leaving");
    expect(entry(leaving)?.unbondingEndsAt).toBeGreaterThan(0);
    expect(entry(slashed)?.status).toBe("understaked");
    expect(entry(staked)?.stake).toBe((writer.minStake + 5n).toString());
    expect(entry(gone)).toBeUndefined();

    // The incremental index is exactly what a cold read of the same block gives.
    const cold = await load(await freshDir());
    expect(cold.indexedBlock).toBe(after.indexedBlock);
    expect(byId(after.entries)).toEqual(byId(cold.entries));
  });

  it("rebuilds over a corrupt file, another registry's index and a file of another version; survives no cache", async () => {
    const dir = await freshDir();
    const path = indexCachePath(dir, { chainId: 31337, registry: registry.address });
    const good = await load(dir);
    const cached = await readIndexCache(dir, { chainId: 31337, registry: registry.address });
    expect(cached?.indexedBlock).toBe(good.indexedBlock);

    await writeFile(path, "{ not json");
    expect((await load(dir)).fromCache).toBe(false);

    const foreign = { ...cached, registry: "0x000000000000000000000000000000000000bEEF" };
    await writeFile(path, JSON.stringify(foreign));
    expect((await load(dir)).fromCache).toBe(false);

    await writeFile(path, JSON.stringify({ ...cached, version: 2 }));
    const rebuilt = await load(dir);
    expect(rebuilt.fromCache).toBe(false);
    expect(byId(rebuilt.entries)).toEqual(byId(good.entries));

    // A cache directory that cannot be made (under a file) costs the cache, not the index.
    const unwritable = await load(join(path, "below-a-file"));
    expect(unwritable.fromCache).toBe(false);
    expect(byId(unwritable.entries)).toEqual(byId(good.entries));
  });

  it("rebuilds when the block it indexed is no longer on the chain (a reorg)", async () => {
    const dir = await freshDir();
    const snapshot = (await writer.publicClient.request({ method: "evm_snapshot" as never })) as Hex;
    const doomed = info(20);
    await writer.register([doomed]);
    const indexed = await load(dir);
    expect(indexed.entries.some((e) => e.id === writer.idOf(doomed).toLowerCase())).toBe(true);

    await writer.publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never });
    // Other blocks at the same heights: the cached block's hash is gone.
    await writer.increaseTime(7);
    await writer.increaseTime(7);
    const after = await load(dir);
    expect(after.fromCache).toBe(false);
    expect(after.entries.some((e) => e.id === writer.idOf(doomed).toLowerCase())).toBe(false);
  });
});
