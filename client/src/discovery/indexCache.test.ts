// The index file: written atomically, read back only when it is this chain's and this registry's, and
// ignored (never thrown on) when it is corrupt, of another version or of another registry.
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { indexCachePath, type RegistryIndexCache, readIndexCache, writeIndexCache } from "./indexCache.ts";

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const key = { chainId: 31337, registry };
const cache: RegistryIndexCache = {
  version: 1,
  chainId: 31337,
  registry: registry.toLowerCase(),
  indexedBlock: 42,
  indexedBlockHash: `0x${"ab".repeat(32)}`,
  entries: [
    {
      wireguardKey: Buffer.alloc(32, 1).toString("base64"),
      payTo: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      signer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      pricePerMinute: "1000",
      pricePerMb: "0",
      schemes: ["exact"],
      country: "DE",
      url: "http://127.0.0.1:4021",
      label: "one",
      id: `0x${"01".repeat(32)}`,
      operator: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      stake: "10000000",
      unbondingEndsAt: 0,
      version: 1,
      status: "active",
    },
  ],
};

describe("the index file", () => {
  it("round-trips through an atomic write, one file per chain and registry", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-cache-"));
    expect(await readIndexCache(dir, key)).toBeNull();
    await writeIndexCache(dir, cache);
    expect(await readdir(dir)).toEqual([`registry-31337-${registry.toLowerCase()}.json`]);
    expect(await readIndexCache(dir, { chainId: 31337, registry: registry.toUpperCase().replace("0X", "0x") })).toEqual(
      cache,
    );
    expect(await readIndexCache(dir, { chainId: 8453, registry })).toBeNull();
  });

  it("ignores a corrupt file, another version, another registry's content and a malformed entry", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-cache-"));
    const path = indexCachePath(dir, key);
    for (const text of [
      "",
      "{ half",
      "[]",
      JSON.stringify({ ...cache, version: 2 }),
      JSON.stringify({ ...cache, registry: "0x000000000000000000000000000000000000bEEF" }),
      JSON.stringify({ ...cache, chainId: 1 }),
      JSON.stringify({ ...cache, entries: [{ ...cache.entries[0], status: "gone" }] }),
    ]) {
      await writeFile(path, text);
      expect(await readIndexCache(dir, key)).toBeNull();
    }
  });
});
