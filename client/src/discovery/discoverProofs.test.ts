// Cached proofs end to end: a real hardhat chain with the real NodeRegistry and real HTTP nodes on 127.0.0.1 that
// count the challenges they sign. A warm discovery reads proven nodes without a challenge, yet flags one that
// starts lying through the field checks; an entry whose URL or signer changed on chain, and a proof past its
// TTL, are challenged again; a failed challenge deletes the proof; proofTtlMs 0 challenges every node.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import type { RegistryDeployment, RegistryNodeInfo } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { registryWriter } from "../testing/registryWriter.ts";
import { type DiscoveryResult, discoverNodes } from "./discoverNodes.ts";
import { startTestNodeServer, type TestNode, type TestNodeServer } from "./discoveryTestNodes.ts";
import { PROOF_TTL_MS, readProofs } from "./proofCache.ts";

const DEADLINE = 800;
let chain: LocalChain;
let server: TestNodeServer;
let writer: ReturnType<typeof registryWriter>;
let registry: RegistryDeployment;
const signer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());

function testNode(name: string): TestNode {
  return {
    name,
    signer,
    registered: {
      wireguardKey: randomBytes(32).toString("base64"),
      payTo: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      signer: signer.address,
      pricePerMinute: "1000",
      pricePerMb: "0",
      schemes: ["exact"],
      country: "DE",
      label: name,
    },
  };
}

const nodes = ["steady", "moved", "rekeyed", "turncoat", "forger"].map(testNode);
const [steady, moved, rekeyed, turncoat, forger] = nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
const infoOf = (node: TestNode, name = node.name): RegistryNodeInfo => ({
  ...node.registered,
  url: server.urlOf(name),
});

beforeAll(async () => {
  chain = await startLocalChain();
  registry = chain.stack.registry as RegistryDeployment;
  writer = registryWriter(chain.stack, chain.rpcUrl);
  server = await startTestNodeServer();
  for (const node of nodes) server.add(node);
  await writer.fund(nodes.length);
  await writer.register(nodes.map((node) => infoOf(node)));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await chain?.stop();
});

const trustOf = (result: DiscoveryResult) =>
  Object.fromEntries(result.nodes.map((n) => [n.entry.label, [n.trust, ...n.problems].join(" ")]));
const challenges = () => Object.fromEntries(nodes.map((n) => [n.name, server.challenges(n.name)]));
const provenOf = (result: DiscoveryResult, label: string) =>
  result.nodes.find((n) => n.entry.label === label)?.provenAt;

describe("discovery with cached proofs", () => {
  it("challenges once, then reads proven nodes plainly, re-proving what changed and flagging a liar", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "wg402-proofs-"));
    let wall = 1_900_000_000_000;
    const discover = () =>
      discoverNodes({ publicClient: writer.publicClient, registry, cacheDir, deadlineMs: DEADLINE, clock: () => wall });
    const before = challenges();

    const cold = await discover();
    expect(Object.values(trustOf(cold))).toEqual(nodes.map(() => "verified"));
    expect(cold.challenged).toBe(nodes.length);
    for (const n of cold.nodes) expect(n.provenAt).toBe(wall);
    const after = challenges();
    for (const n of nodes) expect(after[n.name]).toBe((before[n.name] ?? 0) + 1);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith("proofs-"))).toHaveLength(1);

    // Nothing changed: no node is asked to sign, all stay verified on the proofs of a minute ago.
    const provenAt = wall;
    wall += 60_000;
    const warm = await discover();
    expect(Object.values(trustOf(warm))).toEqual(nodes.map(() => "verified"));
    expect(warm.challenged).toBe(0);
    expect(challenges()).toEqual(after);
    for (const n of warm.nodes) expect(n.provenAt).toBe(provenAt);

    // On chain: one entry moves to another URL, another names a new signer (the node now signs with it). Off
    // chain: one node starts answering another price than its entry's.
    server.add({ ...moved, name: "moved-2" });
    const newSigner = privateKeyToAccount(generatePrivateKey());
    server.add({ ...rekeyed, signer: newSigner });
    await writer.update([
      { info: infoOf(moved, "moved-2"), version: 1 },
      { info: { ...infoOf(rekeyed), signer: newSigner.address }, version: 1 },
    ]);
    server.add({ ...turncoat, claims: { pricePerMinute: "1" } });
    // And one names another endpoint, which its proof does not cover, and cannot sign for it.
    server.add({ ...forger, signer: stranger, claims: { offerSigner: signer.address, endpoint: "10.9.9.9:51820" } });
    wall += 60_000;
    const changed = await discover();
    expect(trustOf(changed)).toEqual({
      steady: "verified",
      moved: "verified",
      rekeyed: "verified",
      turncoat: "untrusted price_mismatch",
      forger: "untrusted challenge_invalid",
    });
    expect(changed.challenged).toBe(3);
    expect(challenges()).toEqual({ ...after, rekeyed: (after.rekeyed ?? 0) + 1, forger: (after.forger ?? 0) + 1 });
    expect(server.challenges("moved-2")).toBe(1);
    expect(provenOf(changed, "moved")).toBe(wall);
    expect(provenOf(changed, "steady")).toBe(provenAt);
    const key = { chainId: changed.chainId, registry: registry.address };
    const turncoatId = writer.idOf(turncoat.registered).toLowerCase();
    const forgerId = writer.idOf(forger.registered).toLowerCase();
    // Untrusted, so their proofs (the forger's still within its TTL) are gone: both are challenged next time.
    const kept = await readProofs(cacheDir, key);
    expect(kept.has(turncoatId)).toBe(false);
    expect(kept.has(forgerId)).toBe(false);
    expect(kept.get(writer.idOf(steady.registered).toLowerCase())?.provenAt).toBe(provenAt);

    // Both honest again; past the TTL every other proof has expired too: all are challenged and verified.
    server.add({ ...turncoat });
    server.add({ ...forger });
    wall += PROOF_TTL_MS;
    const expired = await discover();
    expect(expired.challenged).toBe(nodes.length);
    expect(Object.values(trustOf(expired))).toEqual(nodes.map(() => "verified"));
    expect(server.challenges("steady")).toBe((after.steady ?? 0) + 1);
    const proofs = await readProofs(cacheDir, key);
    expect(proofs.size).toBe(nodes.length);
    for (const proof of proofs.values()) expect(proof.provenAt).toBe(wall);
  });

  it("challenges every node and keeps no proofs with proofTtlMs 0", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "wg402-noproofs-"));
    const before = server.challenges("steady");
    for (let i = 0; i < 2; i++) {
      const result = await discoverNodes({
        publicClient: writer.publicClient,
        registry,
        cacheDir,
        deadlineMs: DEADLINE,
        proofTtlMs: 0,
      });
      expect(result.challenged).toBe(nodes.length);
    }
    expect(server.challenges("steady")).toBe(before + 2);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith("proofs-"))).toEqual([]);
  });
});
