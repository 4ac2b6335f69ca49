// The node list with a registry: registered nodes first, with their trust, merged with the custom ones (a URL
// that is both shows once, as registered), the discovery kept a few seconds, and an untrusted node never paid.
// The discovery is a stand-in here (its own tests are in client/src/discovery); the nodes answer a fake fetch.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jest } from "@jest/globals";
import type { FetchLike } from "@wg402/client";
import { type NodeInfo, type RegistryEntry, signNodeChallenge } from "@wg402/shared";
import type { Hex, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { nodeInfoFixture } from "../../../client/src/testing/nodeInfoFixture.ts";
import { loadDesktopConfig } from "./desktopConfig.ts";
import { DesktopHost } from "./desktopHost.ts";
import type { Discover, DiscoveredNode, DiscoverOptions } from "./discovery.ts";
import { NodeDirectory } from "./nodeDirectory.ts";
import { SettingsStore } from "./settingsStore.ts";

const REGISTRY = "0x9A676e781A523b5d0C0e43731313A708CB607508";
const PAY_TO = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
// The registered signer of every node here; the nodes sign challenges with it unless a test says otherwise.
const nodeSigner = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-registry-nodes-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const info = (name: string, publicKey: string, available = 10): NodeInfo =>
  nodeInfoFixture({
    name,
    region: "eu-central",
    publicKey,
    offerSigner: nodeSigner.address,
    capacity: { total: 10, available },
    data: {
      pricePerMb: "20000",
      minMegabytes: 1,
      maxMegabytes: 10_000,
      blockBytes: 1_000_000,
      validityMinutes: 60,
      meterMinIntervalMs: 1_000,
    },
  });

const entry = (url: string, byte: number, label: string, country = "DE"): RegistryEntry => ({
  wireguardKey: key(byte),
  payTo: PAY_TO,
  signer: nodeSigner.address,
  pricePerMinute: "1000",
  pricePerMb: "20000",
  schemes: ["exact"],
  country,
  url,
  label,
  id: `0x${byte.toString(16).padStart(2, "0").repeat(32)}`,
  operator: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  stake: "10000000",
  unbondingEndsAt: 0,
  version: 1,
  status: "active",
});

/**
 * Node URL → what its `GET /` says, and for `?challenge=` its answer signed by `signers`' key for it (default
 * the registered signer); any other URL refuses the connection. `challenges` counts the challenges asked.
 */
function nodesAnswering(
  answers: Map<string, () => NodeInfo>,
  signers: Map<string, LocalAccount>,
  challenges: string[],
): FetchLike {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const answer = answers.get(url.origin);
    if (!answer) throw new TypeError("fetch failed: connection refused");
    const body = answer();
    const challenge = url.searchParams.get("challenge");
    if (challenge) {
      challenges.push(url.origin);
      const claim = { challenge: challenge as Hex, wireguardKey: body.publicKey, endpoint: body.endpoint };
      body.challenge = await signNodeChallenge(claim, signers.get(url.origin) ?? nodeSigner);
    }
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }) as FetchLike;
}

const good = "http://good.test";
const liar = "http://liar.test";
const gone = "http://gone.test";
const custom = "http://custom.test";

function world() {
  let capacity = 10;
  const answers = new Map<string, () => NodeInfo>([
    [good, () => info("good", key(1), capacity)],
    // Claims another node's key than the one its operator registered.
    [liar, () => info("liar", key(9))],
    [custom, () => info("custom", key(3))],
  ]);
  const discovered: DiscoveredNode[] = [
    {
      entry: entry(`${good}/`, 1, "Good node"),
      url: good,
      trust: "verified",
      problems: [],
      latencyMs: 4,
      info: info("good", key(1)),
      provenAt: Date.now() - 60_000,
    },
    {
      entry: entry(liar, 2, "Liar node", "NL"),
      url: liar,
      trust: "untrusted",
      problems: ["key_mismatch"],
      latencyMs: 6,
      info: info("liar", key(9)),
      provenAt: null,
    },
    {
      entry: entry(gone, 4, "Gone node"),
      url: gone,
      trust: "unreachable",
      problems: [],
      latencyMs: null,
      info: null,
      provenAt: null,
    },
  ];
  const calls: DiscoverOptions[] = [];
  let failing = false;
  const discover: Discover = async (options) => {
    calls.push(options);
    if (failing) throw new Error("RPC down");
    return { nodes: discovered, indexedBlock: 7, fromCache: false };
  };
  const signers = new Map<string, LocalAccount>();
  const challenges: string[] = [];
  return {
    answers,
    signers,
    challenges,
    fetch: nodesAnswering(answers, signers, challenges),
    discover,
    calls,
    setCapacity: (c: number) => {
      capacity = c;
    },
    fail: () => {
      failing = true;
    },
  };
}

async function directory(w: ReturnType<typeof world>, settingsNodes: string[], justDiscoveredMs?: number) {
  const settings = await SettingsStore.open(join(dir, `settings-${n++}`), { lowBalanceMinutes: 30 });
  await settings.update({ nodes: settingsNodes });
  return new NodeDirectory({
    env: { WG402_STACK_FILE: join(dir, "no-stack.json") },
    nodes: [],
    settings,
    fetch: w.fetch,
    registry: {
      choice: { address: REGISTRY, chain: "base-sepolia" },
      cacheDir: join(dir, "registry-cache"),
      discover: w.discover,
      ...(justDiscoveredMs !== undefined ? { justDiscoveredMs } : {}),
    },
  });
}

describe("node directory with a registry", () => {
  it("lists the registry's nodes with their trust first, then the custom ones, a URL that is both once", async () => {
    const w = world();
    const nodes = await directory(w, [good, custom]);
    const listed = await nodes.list();
    expect(listed.map((node) => [node.url, node.source, node.trust])).toEqual([
      [good, "registry", "verified"],
      [liar, "registry", "untrusted"],
      [gone, "registry", "unreachable"],
      [custom, "settings", "custom"],
    ]);
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]).toMatchObject({ registry: { address: REGISTRY }, cacheDir: join(dir, "registry-cache") });
    const [verified, untrusted, unreachable, added] = listed;
    expect(verified).toMatchObject({
      reachable: true,
      region: "DE",
      country: "Germany",
      // 20,000 base units per MB, 1,000 MB a GB.
      pricePerGb: { amount: "20000000", formatted: expect.stringContaining("20") },
      registry: { label: "Good node", status: "active", stake: { amount: "10000000" } },
    });
    expect(untrusted).toMatchObject({ reachable: true, problems: ["key_mismatch"], region: "NL" });
    expect(unreachable).toMatchObject({
      reachable: false,
      error: { error: "node_unreachable" },
      registry: { label: "Gone node", countryCode: "DE", country: "Germany" },
    });
    expect(added).toMatchObject({ reachable: true, trust: "custom", registry: null, problems: [] });
  });

  it("keeps the discovery a few seconds while reading capacity afresh, and discovers again on refresh", async () => {
    const w = world();
    const nodes = await directory(w, []);
    await nodes.list();
    w.setCapacity(2);
    const again = await nodes.list();
    expect(w.calls).toHaveLength(1);
    // Discovered moments ago: the discovery's own reading stands (a later list reads the capacity again).
    expect(again[0]).toMatchObject({ capacity: { available: 10 } });
    await nodes.list(true);
    expect(w.calls).toHaveLength(2);
  });

  it("reads a registered node's capacity again once its discovery is older, and distrusts a changed key", async () => {
    const w = world();
    const nodes = await directory(w, [], 0);
    await nodes.list();
    w.setCapacity(2);
    w.answers.set(good, () => info("good", key(8), 2));
    const [changed] = await nodes.list();
    expect(w.calls).toHaveLength(1);
    expect(changed).toMatchObject({ url: good, trust: "untrusted", problems: ["key_mismatch"] });
    await expect(nodes.assertPayable(good)).rejects.toMatchObject({ code: "node_untrusted" });

    const fresh = world();
    const again = await directory(fresh, [], 0);
    await again.list();
    fresh.setCapacity(2);
    expect((await again.list())[0]).toMatchObject({ trust: "verified", capacity: { available: 2 } });
  });

  it("keeps the last registry nodes when a discovery fails, and lists custom nodes without a registry", async () => {
    const w = world();
    const nodes = await directory(w, [custom]);
    await nodes.list();
    w.fail();
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const listed = await nodes.list(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("RPC down"));
    warn.mockRestore();
    expect(w.calls).toHaveLength(2);
    expect(listed.map((node) => node.url)).toEqual([good, liar, gone, custom]);

    const settings = await SettingsStore.open(join(dir, `settings-${n++}`), { lowBalanceMinutes: 30 });
    await settings.update({ nodes: [custom] });
    const noRegistry = new NodeDirectory({
      env: { WG402_STACK_FILE: join(dir, "no-stack.json") },
      nodes: [],
      settings,
      fetch: w.fetch,
      registry: { choice: { chain: "local" }, cacheDir: join(dir, "unused"), discover: w.discover },
    });
    expect((await noRegistry.list()).map((node) => [node.url, node.trust])).toEqual([[custom, "custom"]]);
    expect(w.calls).toHaveLength(2);
  });

  it("refuses to pay an untrusted node, even before the list was read, and lets the others be paid", async () => {
    const w = world();
    const nodes = await directory(w, [custom]);
    await expect(nodes.assertPayable(liar)).rejects.toMatchObject({
      code: "node_untrusted",
      message: expect.stringContaining("key_mismatch"),
    });
    await expect(nodes.assertPayable(`${good}/`)).resolves.toBeUndefined();
    await expect(nodes.assertPayable(custom)).resolves.toBeUndefined();
    // The verified node was listed on a proof a minute old: paying it took a challenge of its own.
    expect(w.challenges).toEqual([good]);
  });

  it("refuses a verified node that fails a fresh challenge before paying, and lists it as untrusted", async () => {
    const w = world();
    const nodes = await directory(w, []);
    expect((await nodes.list())[0]).toMatchObject({ url: good, trust: "verified" });
    // Its answers still match its entry, but someone else's key signs for it now.
    w.signers.set(good, stranger);
    await expect(nodes.assertPayable(good)).rejects.toMatchObject({
      code: "node_untrusted",
      message: expect.stringContaining("challenge_invalid"),
    });
    expect(w.challenges).toEqual([good]);
    expect((await nodes.list())[0]).toMatchObject({ url: good, trust: "untrusted", problems: ["challenge_invalid"] });

    // Gone between the listing and the payment: not paid either.
    const later = world();
    const again = await directory(later, []);
    await again.list();
    later.answers.delete(good);
    await expect(again.assertPayable(good)).rejects.toMatchObject({ code: "node_unreachable" });
  });
});

describe("desktop host with a registry", () => {
  it("answers a quote or a connect on an untrusted node with an error, before anything is asked of it", async () => {
    const w = world();
    const home = join(dir, `home-${n++}`);
    const env = {
      WG402_HOME: home,
      WG402_STACK_FILE: join(dir, "no-stack.json"),
      WG402_PRIVATE_KEY: "",
      WG402_REGISTRY: REGISTRY,
      WG402_REGISTRY_CHAIN: "base-sepolia",
    };
    const host = await DesktopHost.create({
      config: loadDesktopConfig(env),
      env,
      transport: "daemon",
      version: "0.1.0",
      scryptN: 1024,
      isRoot: () => false,
      fetch: w.fetch,
      discover: w.discover,
    });
    const listed = await host.call("nodes.list", undefined);
    expect(listed.ok && listed.result.map((node) => node.trust)).toEqual(["verified", "untrusted", "unreachable"]);
    expect(w.calls[0]?.cacheDir).toBe(join(home, "registry"));
    expect(await host.call("nodes.quote", { url: liar, minutes: 5 })).toMatchObject({
      ok: false,
      error: { error: "node_untrusted", message: expect.stringContaining("does not match its entry") },
    });
    expect(await host.call("session.connect", { nodeUrl: liar, minutes: 5 })).toMatchObject({
      ok: false,
      error: { error: "node_untrusted" },
    });
    await host.close();
  });
});
