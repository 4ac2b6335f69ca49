// `wg402 connect --best` end to end: two real agents (real chain, real facilitator, FakeDrivers) registered in
// the real NodeRegistry at different prices, a liar registered at a lower price, and a turncoat at the lowest
// that proved itself once (its proof is cached) and then lost its signer's key; connect --best proves its pick
// afresh, skips the turncoat, pays the cheaper honest agent, says why, and closes the lease on Ctrl-C.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeInfo, type RegistryNodeInfo } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ExitCode } from "../cli/exitCodes.ts";
import { honestEntry, registryWriter } from "../testing/registryWriter.ts";
import { jsonLines, runCli, startCli } from "../testing/runCli.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { startTestNodeServer, type TestNode, type TestNodeServer } from "./discoveryTestNodes.ts";

let stack: TestStack;
let cheap: RunningAgent;
let dear: RunningAgent;
let liars: TestNodeServer;
let turncoat: TestNode;
let dir: string;

async function entryFor(agent: RunningAgent, label: string): Promise<RegistryNodeInfo> {
  const info = NodeInfo.parse(await (await fetch(`${agent.url}/`)).json());
  return honestEntry(info, { url: agent.url, country: "DE", label });
}

beforeAll(async () => {
  stack = await startTestStack();
  cheap = await stack.startAgent({ AGENT_PRICE_PER_MINUTE: "900" });
  dear = await stack.startAgent({ AGENT_PRICE_PER_MINUTE: "1500" });
  liars = await startTestNodeServer();
  const honest = await entryFor(cheap, "cheap agent");
  // Claims the cheap agent's terms at a tenth of the price, under a key it does not hold.
  const liarSigner = privateKeyToAccount(generatePrivateKey());
  const liar = {
    name: "liar",
    signer: liarSigner,
    registered: { ...honest, wireguardKey: randomBytes(32).toString("base64"), pricePerMinute: "90", label: "liar" },
    claims: { publicKey: honest.wireguardKey },
  };
  liars.add(liar);
  // The cheap agent's terms at a twentieth of the price, under its own key and signer: honest, until it is not.
  turncoat = {
    name: "turncoat",
    signer: privateKeyToAccount(generatePrivateKey()),
    registered: {
      ...honest,
      wireguardKey: randomBytes(32).toString("base64"),
      pricePerMinute: "45",
      label: "turncoat",
    },
  };
  turncoat.registered.signer = turncoat.signer.address;
  liars.add(turncoat);
  const writer = registryWriter(stack.chain.stack, stack.chain.rpcUrl);
  await writer.fund(4);
  await writer.register([
    honest,
    await entryFor(dear, "dear agent"),
    { ...liar.registered, url: liars.urlOf("liar") },
    { ...turncoat.registered, url: liars.urlOf("turncoat") },
  ]);
  dir = await mkdtemp(join(tmpdir(), "wg402-best-"));
}, 120_000);

afterAll(async () => {
  await liars?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitForEvent(read: () => string, name: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = jsonLines(read()).find((e) => e.event === name);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${name}" event in time; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("wg402 connect --best", () => {
  it("pays the cheapest verified node, never the cheaper liar nor a listed node failing a fresh proof", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const env = { ...stack.env, WG402_HOME: join(dir, "home"), WG402_PRIVATE_KEY: wallet.privateKey };
    // A listing proves the turncoat (its proof is cached); then another key signs for it, its answers unchanged.
    const listed = await runCli(["nodes", "--json"], { env });
    const turncoatUrl = liars.urlOf("turncoat");
    const listedNodes = (jsonLines(listed.stdout)[0] as { nodes: { url: string; trust: string }[] }).nodes;
    expect(listedNodes.find((n) => n.url === turncoatUrl)?.trust).toBe("verified");
    const thief = privateKeyToAccount(generatePrivateKey());
    liars.add({ ...turncoat, signer: thief, claims: { offerSigner: turncoat.signer.address } });
    const proofsBefore = liars.challenges("turncoat");
    // Listed as verified still: the listing rests on the cached proof, and no challenge was sent.
    const again = await runCli(["nodes", "--json"], { env });
    const againNodes = (jsonLines(again.stdout)[0] as { nodes: { url: string; trust: string }[] }).nodes;
    expect(againNodes.find((n) => n.url === turncoatUrl)?.trust).toBe("verified");
    expect(liars.challenges("turncoat")).toBe(proofsBefore);

    const controller = new AbortController();
    // A wide latency slack: price alone decides, whatever the probes measured on a loaded machine.
    const running = startCli(
      ["connect", "--best", "--latency-slack", "60000", "--driver", "export", "--minutes", "2", "--no-qr", "--json"],
      {
        env,
        signal: controller.signal,
      },
    );
    const rejected = (await waitForEvent(running.stdout, "best_rejected")) as {
      node: { url: string; trust: string; problems: string[] };
    };
    expect(rejected.node).toMatchObject({ url: turncoatUrl, trust: "untrusted", problems: ["challenge_invalid"] });
    expect(liars.challenges("turncoat")).toBe(proofsBefore + 1);
    const best = (await waitForEvent(running.stdout, "best")) as {
      node: { url: string; trust: string };
      reason: string;
    };
    expect(best.node).toMatchObject({ url: cheap.url, trust: "verified" });
    expect(best.reason).toMatch(/cheapest of 2 verified nodes/);
    const connected = (await waitForEvent(running.stdout, "connected")) as { leaseId: string };
    expect(connected.leaseId).toBeTruthy();
    controller.abort();
    const result = await running.done;
    expect(result.code).toBe(ExitCode.ok);
    // Two minutes at the cheap agent's 900 per minute, refunded nothing (exact), paid to nobody else.
    expect(await stack.balanceOf(wallet.address)).toBe(100_000n - 1_800n);
    expect(await cheap.driver.listPeers()).toEqual([]);

    // Its proof is gone: the next listing challenges it, and so finds it out.
    const after = await runCli(["nodes", "--json"], { env });
    const afterNodes = (jsonLines(after.stdout)[0] as { nodes: { url: string; problems: string[] }[] }).nodes;
    expect(afterNodes.find((n) => n.url === turncoatUrl)?.problems).toEqual(["challenge_invalid"]);
  });
});
