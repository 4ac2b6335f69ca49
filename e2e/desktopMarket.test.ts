// The desktop UI's node list from the on-chain NodeRegistry, in Chromium: a real hardhat chain with the local
// stack's registry, three real agents (FakeDriver), two of them registered by the stack's registrant with
// approve + register(info, stake): one honestly, one under a WireGuard key it does not have (a node lying about
// its key). The UI daemon discovers them with the core's discovery: the honest one is "Verified on-chain" with
// its flag, prices per hour and per GB and latency, and can be chosen; the liar is "Untrusted: key mismatch",
// says why, and cannot be chosen (the API refuses to quote it); the unregistered agent is a custom node; the
// honest agent, also named in WG402_UI_NODES, shows once, as registered.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchNodeInfo } from "@wg402/client";
import { type NodeInfo, type RegistryNodeInfo, writeLocalStack } from "@wg402/shared";
import { generatePrivateKey } from "viem/accounts";
import { honestEntry, registryWriter } from "../client/src/testing/registryWriter.ts";
import { DesktopUi, flowSteps, hasChromium, type InProcessAgent, startFakeAgent } from "./desktopHarness.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const PRICE_PER_MINUTE = 1_000n;
const PRICE_PER_MB = 20_000n; // 0.02 tUSD, so 20 tUSD per GB
const STAKE = 10_000_000n; // the local registry's minimum: 10 tUSD

const describeWithChromium = hasChromium ? describe : describe.skip;
if (!hasChromium) console.warn("e2e/desktopMarket.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)");

let dir: string;
let stack: PaidStack;
let honest: InProcessAgent;
let liar: InProcessAgent;
let custom: InProcessAgent;
const ui = new DesktopUi();

/** What an honest operator registers for `info` at `url`; `lie` replaces parts of it. */
const registered = (info: NodeInfo, url: string, country: string, lie: Partial<RegistryNodeInfo> = {}) => ({
  ...honestEntry(info, { url, country }),
  ...lie,
});

/** Registers `entries` from the stack's registrant, which holds the stake. */
async function register(entries: RegistryNodeInfo[]): Promise<void> {
  const writer = registryWriter(stack.chain.stack, stack.chain.rpcUrl);
  await writer.fund(entries.length);
  await writer.register(entries, STAKE);
}

beforeAll(async () => {
  if (!hasChromium) return;
  dir = await mkdtemp(join(tmpdir(), "wg402-desktop-market-"));
  stack = await startPaidStack(dir);
  const agent = (name: string, region: string, extra: Record<string, string> = {}) =>
    startFakeAgent(
      {
        ...stack.agentEnv,
        AGENT_NAME: name,
        AGENT_REGION: region,
        AGENT_PRICE_PER_MINUTE: PRICE_PER_MINUTE.toString(),
        AGENT_SIGNING_PRIVATE_KEY: generatePrivateKey(),
        ...extra,
      },
      join(dir, `${name.replaceAll(" ", "-")}.sqlite`),
    );
  // Names of different lengths: the harness derives each fake WireGuard key from the name's length.
  honest = await agent("Honest node", "DE", { AGENT_PRICE_PER_MB: PRICE_PER_MB.toString() });
  // The liar is the cheapest, the custom node the dearest: the default choice must still be the honest one.
  liar = await agent("Liar node", "NL", { AGENT_PRICE_PER_MINUTE: "500" });
  custom = await agent("Own node", "FR", { AGENT_PRICE_PER_MINUTE: "2000" });
  const [honestInfo, liarInfo] = await Promise.all([fetchNodeInfo(honest.url), fetchNodeInfo(liar.url)]);
  await register([
    registered(honestInfo, honest.url, "DE"),
    // The entry stakes on a key the node does not have: its answer names another.
    registered(liarInfo, liar.url, "NL", { wireguardKey: Buffer.alloc(32, 0x5a).toString("base64") }),
  ]);
  const stackFile = join(dir, "local.json");
  await writeLocalStack({ ...stack.chain.stack, services: { facilitator: stack.facilitatorUrl } }, stackFile);
  // A wallet, so the app goes straight to Home (the env key; nothing is paid here).
  const payer = await stack.fundedWallet(1_000_000n);
  await ui.start(dir, {
    WG402_PRIVATE_KEY: payer.privateKey,
    WG402_STACK_FILE: stackFile,
    WG402_RPC_URL_LOCAL: stack.chain.rpcUrl,
    WG402_UI_DRIVER: "export",
    WG402_UI_NODES: [honest.url, custom.url].join(","),
  });
}, 180_000);

afterAll(async () => {
  await ui.stop("daemon-market.log").finally(async () => {
    await Promise.all([honest?.close(), liar?.close(), custom?.close()]);
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}, 60_000);

describeWithChromium("desktop UI: nodes from the registry", () => {
  const step = flowSteps();
  const see = ui.see.bind(ui);
  const row = (name: string) => `label:has-text('${name}')`;

  step("the honest node is verified on-chain, with its country, prices per hour and per GB, and latency", async () => {
    const { page } = ui;
    await page.goto(ui.daemon.url);
    const registry = "[data-testid=node-group-registry]";
    await see("From the registry", registry, 30_000);
    await see("Verified on-chain", `${registry} ${row("Honest node")} [data-testid=node-trust]`);
    await see("Germany", `${registry} ${row("Honest node")}`);
    await see("0.06 tUSD/h", `${row("Honest node")} [data-testid=node-price-hour]`);
    await see("20 tUSD/GB", `${row("Honest node")} [data-testid=node-price-gb]`);
    await see(/\d/, `${row("Honest node")} [data-testid=node-latency]`);
    await see("Stake 10 tUSD", `${row("Honest node")} [data-testid=node-listing]`);
    // Named in WG402_UI_NODES too, yet listed once: as registered.
    expect(await page.locator(row("Honest node")).count()).toBe(1);
    expect(await page.locator(`${row("Honest node")} input[type=radio]`).isDisabled()).toBe(false);
    await ui.shot("desktop-market");
  });

  step("the node lying about its key is untrusted, says why, and cannot be chosen", async () => {
    const { page } = ui;
    await see("Untrusted: key mismatch", `${row("Liar node")} [data-testid=node-trust]`);
    await see("WireGuard key is not the one registered", `${row("Liar node")} [data-testid=node-problems]`);
    expect(await page.locator(`${row("Liar node")} input[type=radio]`).isDisabled()).toBe(true);
    // Nor can any other caller of the API have it quoted (and so paid).
    const daemon = new URL(ui.daemon.url);
    const token = new URLSearchParams(daemon.hash.slice(1)).get("token");
    const response = await fetch(`${daemon.origin}/api/commands/nodes.quote`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ url: liar.url, minutes: 5 }),
    });
    const answer = await response.json();
    expect(answer).toMatchObject({ ok: false, error: { error: "node_untrusted" } });
  });

  step("the unregistered node is a custom node, and the default choice is the cheapest trusted one", async () => {
    await see("Own node", "[data-testid=node-group-custom]");
    await see("Custom: not checked on-chain", `${row("Own node")} [data-testid=node-trust]`);
    expect(await ui.page.locator(`[data-testid=node-group-custom] ${row("Honest node")}`).count()).toBe(0);
    await see("Honest node", "[data-testid=chosen-node]");
  });
});
