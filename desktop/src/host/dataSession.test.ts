// A data lease through the host, against a real hardhat node, the real facilitator and a real agent selling
// megabytes: the node's data offer listed, a quote and a connect by the settings' data plan, the allowance in
// the session view, and History and the summary counting megabytes, not minutes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAgent, startTestStack, type TestStack } from "../../../client/src/testing/testStack.ts";
import { loadDesktopConfig } from "./desktopConfig.ts";
import { DesktopHost } from "./desktopHost.ts";

let stack: TestStack;
let node: RunningAgent;
let dir: string;
let host: DesktopHost;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent({ AGENT_NAME: "data", AGENT_PRICE_PER_MB: "20000", AGENT_MAX_MB: "500" });
  dir = await mkdtemp(join(tmpdir(), "wg402-host-data-"));
  const wallet = await stack.fundedWallet(1_000_000n);
  const env = {
    ...stack.env,
    WG402_HOME: join(dir, "home"),
    WG402_PRIVATE_KEY: wallet.privateKey,
    WG402_UI_DRIVER: "export",
    WG402_UI_NODES: node.url,
    WG402_UI_STATUS_SECONDS: "0.3",
  };
  host = await DesktopHost.create({ config: loadDesktopConfig(env), env, transport: "daemon", version: "0.1.0" });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ok<T>(
  envelope: Promise<{ ok: true; result: T } | { ok: false; error: { error: string; message: string } }>,
) {
  const settled = await envelope;
  if (!settled.ok) throw new Error(`${settled.error.error}: ${settled.error.message}`);
  return settled.result;
}

describe("a data lease through the host", () => {
  it("lists the node's data offer and quotes megabytes alone", async () => {
    const nodes = await ok(host.call("nodes.list", undefined));
    expect(nodes.find((n) => n.url === node.url)).toMatchObject({
      data: { pricePerMb: { amount: "20000" }, minMegabytes: 1, maxMegabytes: 500 },
    });
    const quote = await ok(host.call("nodes.quote", { url: node.url, megabytes: 3 }));
    expect(quote).toMatchObject({ plan: "data", minutes: 0, megabytes: 3, total: { amount: "60000" } });
    // The default cap with megabytes: ten such purchases, as the core computes it.
    expect(quote.cap?.amount).toBe("600000");
    expect(await host.call("nodes.quote", { url: node.url })).toMatchObject({ ok: false });
  });

  it("connects by the settings' data plan, shows the allowance, and records megabytes", async () => {
    await ok(host.call("settings.update", { plan: "data", megabytes: 3, autoRenew: false }));
    const { session } = await ok(host.call("session.connect", { nodeUrl: node.url }));
    expect(session).toMatchObject({
      plan: "data",
      data: { bytesAllowed: 3_000_000, megabytes: 3, renewMegabytes: null, pricePerMb: { amount: "20000" } },
      spent: { amount: "60000" },
    });
    // The disconnect reads the balance again in the background: let it finish before the chain stops.
    const events: string[] = [];
    const off = host.subscribe((event) => events.push(event.type));
    const { entry, summary } = await ok(host.call("session.disconnect", undefined));
    const closedAt = events.indexOf("closed");
    for (let i = 0; i < 200 && !events.slice(closedAt).includes("balances"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    off();
    expect(entry).toMatchObject({
      megabytes: 3,
      payments: [{ minutes: 0, megabytes: 3, amount: { amount: "60000" } }],
    });
    // A data lease's validity is never billed: nothing of it is "unused prepaid time".
    expect(summary).toMatchObject({ unusedSeconds: 0, unusedAmount: { amount: "0" } });
    expect(summary?.unusedData?.bytes).toBeGreaterThan(2_000_000);
  }, 60_000);
});
