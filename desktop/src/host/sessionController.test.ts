// The host's paid flow against a real hardhat node, the real facilitator and a real agent (FakeDriver) with
// 2-second minutes: the core's session relayed as API events, the spend cap pausing it, "pay to continue",
// the history written from the node's numbers, and a lease left behind by another run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { type RunningAgent, startTestStack, type TestStack } from "../../../client/src/testing/testStack.ts";
import type { ApiEvent } from "../api/events.ts";
import type { SessionSnapshot } from "../api/views.ts";
import { loadDesktopConfig } from "./desktopConfig.ts";
import { DesktopHost } from "./desktopHost.ts";

let stack: TestStack;
let node: RunningAgent;
let dir: string;
const hosts: DesktopHost[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent({ AGENT_SECONDS_PER_MINUTE: "2", AGENT_NAME: "fast", AGENT_REGION: "test-1" });
  dir = await mkdtemp(join(tmpdir(), "wg402-host-session-"));
}, 120_000);

afterAll(async () => {
  for (const h of hosts) await h.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function hostFor(privateKey: Hex, home: string) {
  const env = {
    ...stack.env,
    WG402_HOME: home,
    WG402_PRIVATE_KEY: privateKey,
    WG402_UI_DRIVER: "export",
    WG402_UI_NODES: node.url,
    WG402_UI_STATUS_SECONDS: "0.3",
    WG402_UI_BALANCE_POLL_SECONDS: "0.5",
  };
  const host = await DesktopHost.create({ config: loadDesktopConfig(env), env, transport: "daemon", version: "0.1.0" });
  hosts.push(host);
  const events: ApiEvent[] = [];
  host.subscribe((event) => events.push(event));
  return { host, events };
}

async function ok<T>(
  envelope: Promise<{ ok: true; result: T } | { ok: false; error: { error: string; message: string } }>,
) {
  const settled = await envelope;
  if (!settled.ok) throw new Error(`${settled.error.error}: ${settled.error.message}`);
  return settled.result;
}

function waitFor(events: ApiEvent[], match: (event: ApiEvent) => boolean, timeoutMs = 30_000): Promise<ApiEvent> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const found = events.find(match);
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`no such event; got ${events.map((e) => e.type).join(", ")}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

describe("session through the host", () => {
  it("renews until the spend cap, pauses, continues with a new lease, and records both sessions", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const { host, events } = await hostFor(wallet.privateKey, join(dir, "capped"));
    await ok(host.call("settings.update", { minutes: 1, renewMinutes: 1, autoRenew: true, spendCap: "0.004" }));

    const nodes = await ok(host.call("nodes.list", undefined));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ reachable: true, url: node.url, name: "fast", region: "test-1", source: "env" });
    const quote = await ok(host.call("nodes.quote", { url: node.url, minutes: 3 }));
    expect(quote.total).toMatchObject({ amount: "3000", formatted: "0.003 tUSD" });

    const connected = await ok(host.call("session.connect", { nodeUrl: node.url }));
    expect(connected.session).toMatchObject({
      phase: "connected",
      nodeName: "fast",
      driver: "export",
      killSwitch: false,
      spent: { amount: "1000" },
      cap: { amount: "4000", formatted: "0.004 tUSD" },
      costPerHour: { amount: String((1000n * 3600n) / 2n) },
    });
    expect(connected.session?.configPath).toMatch(/wg402-client\.conf$/);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "connected", amount: expect.objectContaining({ amount: "1000" }) }),
    );

    const expired = await waitFor(events, (e) => e.type === "expired", 40_000);
    expect(expired).toMatchObject({ cause: "spend_cap" });
    expect(events.filter((e) => e.type === "renewed")).toHaveLength(3);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "capReached", committed: expect.objectContaining({ amount: "4000" }) }),
    );
    const paused = await ok(host.call("session.status", undefined));
    expect(paused.session).toMatchObject({
      phase: "ended",
      ended: { cause: "spend_cap" },
      renewals: 3,
      nextRenewalAt: null,
    });

    // Every published snapshot has a higher revision than the one before.
    const revisions = events
      .filter((e): e is Extract<ApiEvent, { type: "session" }> => e.type === "session")
      .map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);

    const firstLease = paused.session?.leaseId;
    const resumed: SessionSnapshot = await ok(host.call("session.resume", undefined));
    expect(resumed.session).toMatchObject({ phase: "connected", spent: { amount: "1000" } });
    expect(resumed.session?.leaseId).not.toBe(firstLease);

    const { entry } = await ok(host.call("session.disconnect", undefined));
    expect(entry).toMatchObject({ endCause: "closed", totalPaid: { amount: "1000" } });
    const history = await ok(host.call("history.list", undefined));
    expect(history.map((h) => h.leaseId)).toEqual([entry?.leaseId, firstLease]);
    const capped = history[1];
    expect(capped).toMatchObject({
      endCause: "spend_cap",
      nodeName: "fast",
      region: "test-1",
      country: null,
      totalPaid: { amount: "4000" },
    });
    expect(capped?.payments).toHaveLength(4);
    for (const payment of capped?.payments ?? []) {
      expect(payment).toMatchObject({
        minutes: 1,
        amount: { amount: "1000" },
        txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      });
      // The local chain has no public explorer until one is configured.
      expect(payment.txUrl).toBeNull();
    }
    expect(capped?.secondsUsed).toBeGreaterThanOrEqual(7);

    // An explorer template turns the hashes into links.
    await ok(host.call("settings.update", { explorerTxUrls: { "eip155:31337": "http://localhost:5100/tx/{hash}" } }));
    const linked = await ok(host.call("history.list", undefined));
    expect(linked[1]?.payments[0]?.txUrl).toBe(`http://localhost:5100/tx/${linked[1]?.payments[0]?.txHash}`);

    const balances = await ok(host.call("wallet.balances", undefined));
    expect(balances.token).toMatchObject({ amount: String(100_000 - 4000 - 1000), symbol: "tUSD" });
    expect(await stack.balanceOf(wallet.address)).toBe(100_000n - 5000n);
    expect(await ok(host.call("session.status", undefined))).toMatchObject({ session: null });
  }, 90_000);

  it("closes a lease another run left open, and that run sees it was disconnected elsewhere", async () => {
    const wallet = await stack.fundedWallet(50_000n);
    const home = join(dir, "shared-home");
    const first = await hostFor(wallet.privateKey, home);
    await ok(first.host.call("settings.update", { minutes: 10, autoRenew: false }));
    const { session } = await ok(first.host.call("session.connect", { nodeUrl: node.url }));

    const second = await hostFor(wallet.privateKey, home);
    const info = await ok(second.host.call("app.info", undefined));
    expect(info.recordedLease).toMatchObject({ leaseId: session?.leaseId, nodeUrl: node.url, driver: "export" });
    const refused = await second.host.call("session.connect", { nodeUrl: node.url });
    expect(refused).toMatchObject({
      ok: false,
      error: { error: "already_connected", message: expect.stringContaining("still open") },
    });
    expect(await ok(second.host.call("session.closeRecorded", undefined))).toEqual({ leaseId: session?.leaseId });
    expect((await ok(second.host.call("app.info", undefined))).recordedLease).toBeNull();

    await waitFor(first.events, (e) => e.type === "expired");
    expect(first.events.find((e) => e.type === "expired")).toMatchObject({ cause: "disconnected" });
    await ok(first.host.call("session.disconnect", undefined));
    const [entry] = await ok(first.host.call("history.list", undefined));
    expect(entry).toMatchObject({
      leaseId: session?.leaseId,
      endCause: "disconnected",
      totalPaid: { amount: "10000" },
    });
  }, 60_000);

  it("is connected on the node's evidence only, always with a cap (one hour by default), and counts down to it", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const { host } = await hostFor(wallet.privateKey, join(dir, "default-cap"));
    await ok(host.call("settings.update", { minutes: 2, renewMinutes: 1, autoRenew: true, spendCap: null }));
    const { session } = await ok(host.call("session.connect", { nodeUrl: node.url }));
    // An hour of 2-second minutes at 1,000 base units: 1,800 minutes.
    expect(session).toMatchObject({
      phase: "connected",
      capSource: "default",
      cap: { amount: "1800000" },
      link: { state: "connected", evidence: "node" },
    });
    expect(session?.link?.lastHandshakeAt).toEqual(expect.any(Number));
    // Once the first 2 minutes are paid, the rest of the cap buys 1,798 renewals of one 2-second minute.
    expect(session?.capEndsAt).toBe((session?.expiresAt ?? 0) + 1_798 * 2_000);
    // Disconnecting at once leaves most of the 4 prepaid seconds unused, which exact payments do not refund.
    const { summary } = await ok(host.call("session.disconnect", undefined));
    expect(summary).toMatchObject({
      scheme: "exact",
      entry: { leaseId: session?.leaseId, totalPaid: { amount: "2000" } },
    });
    expect(summary?.unusedSeconds).toBeGreaterThan(0);
    expect(BigInt(summary?.unusedAmount.amount ?? "0")).toBeGreaterThan(0n);
  });

  it("refuses to pay more than the balance, before signing anything", async () => {
    const wallet = await stack.fundedWallet(500n);
    const { host } = await hostFor(wallet.privateKey, join(dir, "poor"));
    const refused = await host.call("session.connect", { nodeUrl: node.url, minutes: 1 });
    expect(refused).toMatchObject({ ok: false, error: { error: "insufficient_balance" } });
    expect(await stack.balanceOf(wallet.address)).toBe(500n);
    expect(await ok(host.call("session.status", undefined))).toMatchObject({ session: null });
  });
});
