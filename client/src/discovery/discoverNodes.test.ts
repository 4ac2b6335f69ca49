// Discovery end to end: a real hardhat chain with the real NodeRegistry, real HTTP nodes on 127.0.0.1 (one
// honest and cheap, one honest and dearer, one lying about its WireGuard key, one too slow for the deadline,
// one offline, one leaving), through discoverNodes and through the real CLI entry (`wg402 nodes`,
// `wg402 connect --best`'s refusals).
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { type RegistryDeployment, type RegistryNodeInfo, writeLocalStack } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { registryWriter } from "../testing/registryWriter.ts";
import { jsonLines, runCli } from "../testing/runCli.ts";
import { discoverNodes, pickBest } from "./discoverNodes.ts";
import { startTestNodeServer, type TestNode, type TestNodeServer } from "./discoveryTestNodes.ts";
import { latencyCutoff } from "./pickBest.ts";

const DEADLINE = 800;
let chain: LocalChain;
let server: TestNodeServer;
let writer: ReturnType<typeof registryWriter>;
let registry: RegistryDeployment;
let env: Record<string, string>;
const signer = privateKeyToAccount(generatePrivateKey());
const payTo = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function testNode(name: string, over: Partial<TestNode> & { price?: string; country?: string } = {}): TestNode {
  return {
    name,
    signer,
    registered: {
      wireguardKey: randomBytes(32).toString("base64"),
      payTo,
      signer: signer.address,
      pricePerMinute: over.price ?? "1000",
      pricePerMb: "0",
      schemes: ["exact"],
      country: over.country ?? "DE",
      label: name,
    },
    ...over,
  };
}

const cheap = testNode("cheap", { price: "900" });
const dear = testNode("dear", { price: "2000" });
const liar = testNode("liar", { price: "1", country: "FR", claims: { publicKey: randomBytes(32).toString("base64") } });
const slow = testNode("slow", { delayMs: 5_000 });
const leaving = testNode("leaving");
const offline = testNode("offline");
const urlOf = (node: TestNode) => (node === offline ? "http://127.0.0.1:9/n/offline" : server.urlOf(node.name));
const infoOf = (node: TestNode): RegistryNodeInfo => ({ ...node.registered, url: urlOf(node) });
type NodesJson = {
  registry: string;
  counts: Record<string, number>;
  best: string | null;
  nodes: { label: string; trust: string; problems: string[]; latencyMs: number | null }[];
  leaving: { label: string }[];
};

const idOf = (node: TestNode) => writer.idOf(node.registered).toLowerCase();

beforeAll(async () => {
  chain = await startLocalChain();
  registry = chain.stack.registry as RegistryDeployment;
  writer = registryWriter(chain.stack, chain.rpcUrl);
  server = await startTestNodeServer();
  const all = [cheap, dear, liar, slow, leaving, offline];
  for (const node of all) server.add(node);
  await writer.fund(all.length);
  await writer.register(all.map(infoOf));
  await writer.startUnbonding([writer.idOf(leaving.registered)]);
  const dir = await mkdtemp(join(tmpdir(), "wg402-discovery-"));
  const stackFile = join(dir, "local.json");
  await writeLocalStack(chain.stack, stackFile);
  env = { WG402_STACK_FILE: stackFile, WG402_HOME: join(dir, "home") };
}, 120_000);

afterAll(async () => {
  await server?.close();
  await chain?.stop();
});

describe("discoverNodes", () => {
  it("verifies honest nodes, flags the liar, times out the slow and offline ones, and lists the leaving one", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "wg402-discovery-cache-"));
    const started = performance.now();
    const result = await discoverNodes({ publicClient: writer.publicClient, registry, cacheDir, deadlineMs: DEADLINE });
    // The slow node answers after 5 s: discovery does not wait for it.
    expect(performance.now() - started).toBeLessThan(DEADLINE + 1_500);
    const trust = Object.fromEntries(result.nodes.map((n) => [n.entry.label, n.trust]));
    expect(trust).toEqual({
      cheap: "verified",
      dear: "verified",
      liar: "untrusted",
      slow: "unreachable",
      offline: "unreachable",
    });
    const lying = result.nodes.find((n) => n.entry.label === "liar");
    expect(lying?.problems).toContain("key_mismatch");
    expect(lying?.problems).toContain("challenge_invalid");
    expect(result.leaving.map((e) => e.label)).toEqual(["leaving"]);
    expect(result.fromCache).toBe(false);
    expect(result.nodes[0]?.trust).toBe("verified");
    const verified = result.nodes.filter((n) => n.trust === "verified");
    for (const node of verified) expect(node.latencyMs).toBeGreaterThanOrEqual(0);
    // Price decides between nodes about as fast as each other (pickBest.test.ts pins the rule on fixed
    // latencies); on a loaded machine the cheap one's probe may fall out of that group, and then the faster wins.
    const latencyOf = (label: string) => result.nodes.find((n) => n.entry.label === label)?.latencyMs ?? Infinity;
    const fastest = Math.min(latencyOf("cheap"), latencyOf("dear"));
    const expected = latencyOf("cheap") <= latencyCutoff(fastest) ? "cheap" : "dear";
    expect(pickBest(result.nodes)?.entry.label).toBe(expected);
    expect(pickBest(result.nodes, { region: "FR" })).toBeUndefined();

    const again = await discoverNodes({
      publicClient: writer.publicClient,
      registry,
      cacheDir,
      deadlineMs: DEADLINE,
      region: "fr",
    });
    expect(again.fromCache).toBe(true);
    expect(again.nodes.map((n) => [n.entry.label, n.trust])).toEqual([["liar", "untrusted"]]);
  });
});

describe("wg402 nodes", () => {
  it("prints every active node with its trust, prices and latency as JSON", async () => {
    const run = await runCli(["nodes", "--json", "--deadline", String(DEADLINE)], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [doc] = jsonLines(run.stdout) as [NodesJson];
    expect(doc.registry.toLowerCase()).toBe(registry.address.toLowerCase());
    expect(doc.counts).toEqual({ verified: 2, untrusted: 1, unreachable: 2, leaving: 1, understaked: 0 });
    const byLabel = Object.fromEntries(doc.nodes.map((n) => [n.label, n]));
    // As above: the cheap node is best unless its probe fell out of the about-as-fast group.
    const latency = (label: string) => byLabel[label]?.latencyMs ?? Infinity;
    const cheapInGroup = latency("cheap") <= latencyCutoff(Math.min(latency("cheap"), latency("dear")));
    expect(doc.best).toBe(cheapInGroup ? idOf(cheap) : idOf(dear));
    expect(byLabel.cheap).toMatchObject({
      trust: "verified",
      provenAt: expect.any(Number),
      pricePerMinute: "900",
      pricePerHour: "0.054 tUSD",
      url: server.urlOf("cheap"),
    });
    expect(byLabel.liar?.problems).toContain("key_mismatch");
    expect(byLabel.liar).toMatchObject({ provenAt: null });
    expect(doc.leaving.map((e) => e.label)).toEqual(["leaving"]);
  });

  it("prints a table for people, sorted by price on request", async () => {
    const run = await runCli(["nodes", "--sort", "price", "--deadline", String(DEADLINE)], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    const cheapLine = lines.findIndex((l) => l.includes("DE cheap"));
    const dearLine = lines.findIndex((l) => l.includes("DE dear"));
    expect(cheapLine).toBeGreaterThan(0);
    expect(dearLine).toBeGreaterThan(cheapLine);
    // The "*" (connect --best's pick) depends on the probes' latencies; the JSON test checks it.
    expect(lines[cheapLine]).toMatch(/^[* ] +DE cheap +0\.054 tUSD +time only +[\d.]+ ms +verified +http/);
    expect(run.stdout).toMatch(/FR liar .*UNTRUSTED \(key_mismatch, challenge_invalid\)/);
    expect(run.stdout).toContain("leaving (unbonding: never offered)");
  });

  it("refuses clearly without a registry, or with an address that is not one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-noregistry-"));
    const { registry: _none, ...bare } = chain.stack;
    const stackFile = join(dir, "local.json");
    await writeLocalStack(bare, stackFile);
    const none = await runCli(["nodes", "--json"], { env: { WG402_STACK_FILE: stackFile, WG402_HOME: dir } });
    expect(none.code).toBe(2);
    expect(jsonLines(none.stderr)[0]).toMatchObject({ error: "invalid_argument" });
    expect(none.stderr).toContain("--registry");

    const token = await runCli(["nodes", "--registry", chain.stack.token.address], { env });
    expect(token.code).toBe(2);
    expect(token.stderr).toContain("does not answer as a NodeRegistry");

    // WG402_REGISTRY names the registry when no flag does.
    const viaEnv = await runCli(["nodes", "--json", "--deadline", String(DEADLINE)], {
      env: { WG402_STACK_FILE: stackFile, WG402_HOME: dir, WG402_REGISTRY: registry.address },
    });
    expect(viaEnv.code).toBe(0);
  });
});

describe("wg402 connect --best", () => {
  it("refuses a URL with --best, and refuses to pay when no verified node is left", async () => {
    const both = await runCli(["connect", "--best", server.urlOf("cheap"), "--minutes", "1"], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");

    const neither = await runCli(["connect", "--minutes", "1"], { env });
    expect(neither.code).toBe(2);

    // The only French node lies about its key: it is never chosen.
    const fr = await runCli(["connect", "--best", "--region", "FR", "--minutes", "1", "--json", "--deadline", "800"], {
      env,
    });
    expect(fr.code).toBe(3);
    expect(jsonLines(fr.stderr)[0]).toMatchObject({ error: "node_unreachable" });
    expect(fr.stderr).toContain("no verified node in FR");
  });
});
