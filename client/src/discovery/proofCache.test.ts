// The proof file: written atomically and merged with what is on disk, read back only for its chain and
// registry, ignored when corrupt or foreign; a proof counts only for its entry's key, signer and URL, within its TTL.
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  forgetProof,
  type NodeProof,
  PROOF_TTL_MS,
  proofCachePath,
  readProofs,
  updateProofs,
  validProof,
} from "./proofCache.ts";

const registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const key = { chainId: 31337, registry };
const now = 1_900_000_000_000;
const signer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const proof: NodeProof = {
  wireguardKey: Buffer.alloc(32, 1).toString("base64"),
  signer,
  url: "http://127.0.0.1:4021",
  endpoint: "127.0.0.1:51820",
  provenAt: now,
};
const id = (byte: number) => `0x${byte.toString(16).padStart(2, "0").repeat(32)}`;

describe("the proof file", () => {
  it("merges changes into the file as it is now, drops expired proofs, and leaves no temporary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-proofs-"));
    expect((await readProofs(dir, key)).size).toBe(0);
    await updateProofs(dir, key, { put: new Map([[id(1), proof]]) }, { now });
    // Another process adds a proof: a later writer keeps it, and removes only what it drops.
    await updateProofs(dir, key, { put: new Map([[id(2), { ...proof, provenAt: now + 1 }]]) }, { now: now + 1 });
    await updateProofs(
      dir,
      key,
      { put: new Map([[id(3), { ...proof, provenAt: now + PROOF_TTL_MS }]]), drop: [id(2).toUpperCase()] },
      { now: now + PROOF_TTL_MS },
    );
    const proofs = await readProofs(dir, key);
    // id(1) is exactly PROOF_TTL_MS old: expired.
    expect([...proofs.keys()]).toEqual([id(3)]);
    expect(await readdir(dir)).toEqual([`proofs-31337-${registry.toLowerCase()}.json`]);
    expect((await readProofs(dir, { chainId: 8453, registry })).size).toBe(0);

    await forgetProof(dir, id(3));
    expect((await readProofs(dir, key)).size).toBe(0);
    await expect(forgetProof(join(dir, "missing"), id(3))).resolves.toBeUndefined();
  });

  it("ignores a corrupt file, another version, another chain's or registry's content and a malformed proof", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-proofs-"));
    const good = { version: 1, chainId: 31337, registry: registry.toLowerCase(), proofs: { [id(1)]: proof } };
    await writeFile(proofCachePath(dir, key), JSON.stringify(good));
    expect((await readProofs(dir, key)).get(id(1))).toEqual(proof);
    for (const text of [
      "",
      "{ half",
      "[]",
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, chainId: 1 }),
      JSON.stringify({ ...good, registry: "0x000000000000000000000000000000000000bEEF" }),
      JSON.stringify({ ...good, proofs: { [id(1)]: { ...proof, provenAt: "yesterday" } } }),
    ]) {
      await writeFile(proofCachePath(dir, key), text);
      expect((await readProofs(dir, key)).size).toBe(0);
    }
    // A corrupt file is replaced by the next write.
    await updateProofs(dir, key, { put: new Map([[id(2), proof]]) }, { now });
    expect([...(await readProofs(dir, key)).keys()]).toEqual([id(2)]);
  });

  it("counts a proof only for the same key, signer (any case) and URL, younger than its TTL", () => {
    const entry = { wireguardKey: proof.wireguardKey, signer: signer.toLowerCase() };
    const at = (ms: number, over: Partial<typeof entry> = {}, url = proof.url, ttl = PROOF_TTL_MS) =>
      validProof(proof, { ...entry, ...over }, url, now + ms, ttl);
    expect(at(0)).toEqual(proof);
    expect(at(PROOF_TTL_MS - 1)).toEqual(proof);
    expect(at(PROOF_TTL_MS)).toBeNull();
    // A clock that went back is not trusted to say how old the proof is.
    expect(at(-1)).toBeNull();
    expect(at(0, { wireguardKey: Buffer.alloc(32, 2).toString("base64") })).toBeNull();
    expect(at(0, { signer: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" })).toBeNull();
    expect(at(0, {}, "http://127.0.0.1:4022")).toBeNull();
    expect(at(0, {}, proof.url, 0)).toBeNull();
    expect(validProof(undefined, entry, proof.url, now, PROOF_TTL_MS)).toBeNull();
  });
});
