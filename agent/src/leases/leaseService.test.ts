// The lease lifecycle on a FakeDriver with a hand-moved clock: expiry, final counters, grace renewals, meter
// generations and reconciliation, without a chain.
import { randomBytes } from "node:crypto";
import { ManualClock } from "@wg402/shared/runtime";
import { FakeDriver } from "@wg402/wireguard";
import { pino } from "pino";
import { parseSubnet } from "../ledger/ipv4.ts";
import { LeaseStore, type NewPayment } from "../ledger/leaseStore.ts";
import { createAgentMetrics } from "../metrics.ts";
import { testPayment } from "../testing/testPayment.ts";
import { LeaseService } from "./leaseService.ts";

const MINUTE = 60_000;
const key = () => randomBytes(32).toString("base64");
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 10, 26));
  const driver = new FakeDriver();
  const store = new LeaseStore({
    path: ":memory:",
    subnet: parseSubnet("10.9.0.0/29"),
    addressCooldownMs: 300_000,
    minuteMs: MINUTE,
  });
  const metrics = createAgentMetrics();
  const params: ConstructorParameters<typeof LeaseService>[0] = {
    store,
    driver,
    clock,
    metrics,
    log: pino({ level: "silent" }),
    serverPublicKey: key(),
    endpoint: "127.0.0.1:51820",
    allowedIps: ["0.0.0.0/0"],
    dns: [],
    keepaliveSeconds: 25,
    graceMs: 60_000,
    minuteMs: MINUTE,
  };
  const service = new LeaseService(params);
  const payment = (minutes: number): NewPayment =>
    testPayment({ minutes, validBefore: Math.floor(clock.now() / 1000) + 120 });
  /** A lease paid for `minutes`, activated as a settled payment does. */
  async function paidLease(minutes: number, publicKey = key()) {
    const p = payment(minutes);
    const lease = service.reserveLease(publicKey, p);
    await service.activate(p.identity.key, { txHash: null, payer: p.identity.payer });
    return { id: lease.id, publicKey, address: lease.address };
  }
  async function renew(leaseId: string, minutes: number) {
    const p = payment(minutes);
    service.reserveRenewal(leaseId, p);
    await service.activate(p.identity.key, { txHash: null, payer: p.identity.payer });
  }
  return { clock, driver, store, metrics, service, params, paidLease, renew, payment };
}

describe("expiry", () => {
  it("removes the peer at its deadline, after reading its final counters", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(2);
    expect(await t.driver.listPeers()).toHaveLength(1);
    t.driver.addTraffic(lease.publicKey, 700, 9_000);

    await t.clock.advance(2 * MINUTE - 1);
    await settle();
    expect(await t.driver.listPeers()).toHaveLength(1);
    await t.clock.advance(1);
    await settle();
    await settle();
    expect(await t.driver.listPeers()).toEqual([]);
    const stored = t.store.getLease(lease.id);
    expect(stored).toMatchObject({ state: "expired", bytesUp: 700, bytesDown: 9_000 });
    // The peer's traffic was stopped (allowed IPs cleared) before the reading, then it was removed.
    expect(t.driver.writes.filter((w) => w.publicKey === lease.publicKey).map((w) => w.op)).toEqual([
      "upsert",
      "upsert",
      "remove",
    ]);
    const metrics = await t.metrics.registry.metrics();
    expect(metrics).toMatch(/agent_expiry_lateness_seconds_count 1/);
    expect(metrics).toMatch(/agent_expiry_lateness_seconds_bucket\{le="0.01"\} 1/);
  });

  it("moves the deadline on renewal and never rewrites the peer", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(1);
    const writes = t.driver.writes.length;
    await t.clock.advance(30_000);
    await t.renew(lease.id, 1);
    await t.clock.advance(60_000);
    await settle();
    expect(await t.driver.listPeers()).toHaveLength(1);
    expect(t.driver.writes.length).toBe(writes);
    await t.clock.advance(30_000);
    await settle();
    await settle();
    expect(await t.driver.listPeers()).toEqual([]);
  });

  it("resumes a lease renewed within the grace window, keeping its address and its bytes", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(1);
    t.driver.addTraffic(lease.publicKey, 100, 200);
    await t.clock.advance(MINUTE + 10_000);
    await settle();
    await settle();
    expect(t.store.getLease(lease.id)?.state).toBe("expired");

    await t.renew(lease.id, 1);
    const resumed = t.store.getLease(lease.id);
    expect(resumed).toMatchObject({
      state: "active",
      address: lease.address,
      expiresAt: Date.UTC(2026, 10, 26) + MINUTE + 10_000 + MINUTE,
    });
    expect(await t.driver.listPeers()).toEqual([expect.objectContaining({ publicKey: lease.publicKey, rxBytes: 0 })]);
    t.driver.addTraffic(lease.publicKey, 5, 6);
    expect(await t.service.view(lease.id)).toMatchObject({ usage: { bytesUp: 105, bytesDown: 206 } });
  });

  it("refuses a renewal after the grace window", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(1);
    await t.clock.advance(MINUTE + 61_000);
    await settle();
    await t.service.sweep();
    expect(() => t.service.precheckRenew(lease.id, { minutes: 1, megabytes: 0 })).toThrow(/cannot be renewed/);
  });
});

describe("meter", () => {
  it("keeps totals across a device restart (counters drop to zero)", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(10);
    t.driver.addTraffic(lease.publicKey, 1_000, 2_000);
    await t.service.peers.pollMeter();
    t.driver.restart();
    await t.service.peers.deviceRecreated();
    expect(await t.driver.listPeers()).toHaveLength(1);
    t.driver.addTraffic(lease.publicKey, 10, 20);
    await t.service.peers.pollMeter();
    expect(t.store.getLease(lease.id)).toMatchObject({ bytesUp: 1_010, bytesDown: 2_020 });
  });

  it("detects a counter that dropped between polls as a new generation", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(10);
    t.driver.addTraffic(lease.publicKey, 500, 500);
    await t.service.peers.pollMeter();
    await t.driver.apply({ upsert: [], remove: [lease.publicKey] });
    await t.service.peers.reconcile();
    t.driver.addTraffic(lease.publicKey, 7, 3);
    await t.service.peers.pollMeter();
    expect(t.store.getLease(lease.id)).toMatchObject({ bytesUp: 507, bytesDown: 503 });
  });
});

describe("reconcile", () => {
  it("leaves an overdue lease's peer for expiry, so its last bytes are billed", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(1);
    t.service.stop(); // expiry is late: a reconcile runs between the deadline and the batch
    await t.clock.advance(MINUTE + 1);
    t.driver.addTraffic(lease.publicKey, 300, 400);
    await t.service.peers.reconcile();
    expect(await t.driver.listPeers()).toEqual([expect.objectContaining({ publicKey: lease.publicKey })]);
    await t.service.peers.expireDue();
    expect(await t.driver.listPeers()).toEqual([]);
    expect(t.store.getLease(lease.id)).toMatchObject({ state: "expired", bytesUp: 300, bytesDown: 400 });
  });

  it("removes peers the ledger does not know and restores missing ones", async () => {
    const t = setup();
    await t.service.start();
    const lease = await t.paidLease(5);
    const stranger = key();
    await t.driver.apply({ upsert: [{ publicKey: stranger, allowedIps: ["10.9.0.6/32"] }], remove: [lease.publicKey] });
    await t.service.peers.reconcile();
    expect(await t.driver.listPeers()).toEqual([
      expect.objectContaining({ publicKey: lease.publicKey, allowedIps: [`${lease.address}/32`] }),
    ]);
  });

  it("restores the ledger's leases on start-up, expiring those that ran out while it was down", async () => {
    const t = setup();
    const kept = await t.paidLease(10);
    const lapsed = await t.paidLease(1);
    await t.clock.advance(2 * MINUTE);
    const fresh = new FakeDriver();
    const restarted = new LeaseService({ ...t.params, driver: fresh });
    await restarted.start();
    expect((await fresh.listPeers()).map((p) => p.publicKey)).toEqual([kept.publicKey]);
    expect(t.store.getLease(lapsed.id)?.state).toBe("expired");
    restarted.stop();
  });
});

describe("address pool", () => {
  it("answers 503 before payment when every address is taken, and cools released ones down", async () => {
    const t = setup();
    await t.service.start();
    const leases = [];
    for (let i = 0; i < 5; i++) leases.push(await t.paidLease(1));
    expect(new Set(leases.map((l) => l.address)).size).toBe(5);
    expect(leases.map((l) => l.address)).not.toContain("10.9.0.1");
    expect(() => t.service.precheckCreate(key())).toThrow(/no free tunnel address/);

    await t.clock.advance(MINUTE + 61_000);
    await settle();
    await t.service.sweep();
    expect(() => t.service.precheckCreate(key())).toThrow(/no free tunnel address/);
    await t.clock.advance(300_000);
    expect(() => t.service.precheckCreate(key())).not.toThrow();
  });
});
