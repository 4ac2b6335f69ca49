// `wg402 connect --best` end to end: two real agents (real chain, real facilitator, FakeDrivers) registered in
// the real NodeRegistry at different prices, and a liar registered at the lowest price; connect --best pays the
// cheaper honest agent, says why, and closes the lease on Ctrl-C.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeInfo, type RegistryNodeInfo, type RegistryScheme } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ExitCode } from "../cli/exitCodes.ts";
import { jsonLines, startCli } from "../testing/runCli.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { registryWriter } from "./discoveryTestChain.ts";
import { startTestNodeServer, type TestNodeServer } from "./discoveryTestNodes.ts";

let stack: TestStack;
let cheap: RunningAgent;
let dear: RunningAgent;
let liars: TestNodeServer;
let dir: string;

async function entryFor(agent: RunningAgent, label: string): Promise<RegistryNodeInfo> {
  const info = NodeInfo.parse(await (await fetch(`${agent.url}/`)).json());
  return {
    wireguardKey: info.publicKey,
    payTo: info.accepts[0]?.payTo as string,
    signer: info.offerSigner as string,
    pricePerMinute: info.pricePerMinute,
    pricePerMb: info.data?.pricePerMb ?? "0",
    schemes: [...new Set(info.accepts.map((k) => k.scheme))] as RegistryScheme[],
    country: "DE",
    url: agent.url,
    label,
  };
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
  const writer = registryWriter(stack.chain.stack, stack.chain.rpcUrl);
  await writer.fund(3);
  await writer.register([honest, await entryFor(dear, "dear agent"), { ...liar.registered, url: liars.urlOf("liar") }]);
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
  it("pays the cheapest verified node, never the cheaper liar, and says why", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const env = { ...stack.env, WG402_HOME: join(dir, "home"), WG402_PRIVATE_KEY: wallet.privateKey };
    const controller = new AbortController();
    const running = startCli(["connect", "--best", "--driver", "export", "--minutes", "2", "--no-qr", "--json"], {
      env,
      signal: controller.signal,
    });
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
  });
});
