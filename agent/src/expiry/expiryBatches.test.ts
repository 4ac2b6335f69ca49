// Expiry batches and the meter poll on a FakeDriver with a hand-moved clock: a backlog goes in capped batches
// earliest first, a renewal that settles mid-batch is kept, and a poll gives way to expiry batches without
// ever overwriting a final reading.
import { randomBytes } from "node:crypto";
import { ManualClock } from "@wg402/shared/runtime";
import { FakeDriver, type PeerChange, type PeerStatus } from "@wg402/wireguard";
import { pino } from "pino";
import { LeaseService } from "../leases/leaseService.ts";
import { parseSubnet } from "../ledger/ipv4.ts";
import { LeaseStore, type NewPayment } from "../ledger/leaseStore.ts";
import { EXPIRY_WAVE_MS, POLL_CHUNK, POLL_MAX_DEFER_MS } from "../metering/meter.ts";
import { createAgentMetrics } from "../metrics.ts";
import { testPayment } from "../testing/testPayment.ts";
import { ExpiryScheduler } from "./expiryScheduler.ts";

const MINUTE = 60_000;
const key = () => randomBytes(32).toString("base64");
const settle = async (turns = 3) => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A FakeDriver that records each batch of removals and can hold a listing until released. */
class RecordingDriver extends FakeDriver {
  readonly removals: string[][] = [];
  reads = 0;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;
  /** Runs once at the start of the next listing. */
  onNextList: (() => void) | undefined;

  override async apply(change: PeerChange): Promise<void> {
    await super.apply(change);
    if (change.remove.length > 0) this.removals.push([...change.remove]);
  }

  override async listPeers(): Promise<PeerStatus[]> {
    this.reads++;
    const hook = this.onNextList;
    this.onNextList = undefined;
    hook?.();
    // The device's answer reflects the moment it is asked, as wireguard-go's does.
    const listing = super.listPeers();
    if (this.held) await this.held;
    return listing;
  }

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  releaseHeld(): void {
    this.release?.();
    this.held = undefined;
  }
}

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 10, 26));
  const driver = new RecordingDriver();
  const store = new LeaseStore({
    path: ":memory:",
    subnet: parseSubnet("10.9.0.0/20"),
    addressCooldownMs: 300_000,
    minuteMs: MINUTE,
  });
  const metrics = createAgentMetrics();
  const service = new LeaseService({
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
  });
  const payment = (minutes: number): NewPayment =>
    testPayment({ minutes, validBefore: Math.floor(clock.now() / 1000) + 120 });
  /**
   * `count` one-minute leases settled straight in the ledger a millisecond apart (so their deadlines are
   * distinct and in creation order), before the service starts and puts them on the device in one reconcile.
   */
  async function settledLeases(count: number) {
    const leases: { id: string; publicKey: string; expiresAt: number }[] = [];
    for (let i = 0; i < count; i++) {
      const p = payment(1);
      const publicKey = key();
      const lease = service.reserveLease(publicKey, p);
      const settled = store.settlePayment(p.identity.key, { txHash: null, payer: p.identity.payer, now: clock.now() });
      leases.push({ id: lease.id, publicKey, expiresAt: settled?.lease.expiresAt ?? Number.NaN });
      await clock.advance(1);
    }
    return leases;
  }
  return { clock, driver, store, metrics, service, payment, settledLeases };
}

it("expires a backlog in capped batches, earliest deadlines first", async () => {
  const t = setup();
  const count = ExpiryScheduler.batchMax + 100;
  const leases = await t.settledLeases(count);
  await t.service.start();
  expect(await t.driver.listPeers()).toHaveLength(count);

  // The node was stalled: every deadline passes at once.
  t.clock.jump(MINUTE);
  await t.clock.advance(0);
  await settle(10);
  expect(t.driver.removals.map((batch) => batch.length)).toEqual([ExpiryScheduler.batchMax, 100]);
  expect(t.driver.removals[0]).toEqual(leases.slice(0, ExpiryScheduler.batchMax).map((l) => l.publicKey));
  expect(await t.driver.listPeers()).toEqual([]);
  expect(t.store.countByState().expired).toBe(count);
  expect(await t.metrics.registry.metrics()).toMatch(new RegExp(`agent_expiry_lateness_seconds_count ${count}`));
});

it("keeps a lease whose renewal settled while its final counters were read", async () => {
  const t = setup();
  const [lease] = await t.settledLeases(1);
  if (!lease) throw new Error("no lease");
  await t.service.start();
  const renewal = t.payment(5);
  t.service.reserveRenewal(lease.id, renewal);
  let activation: Promise<unknown> | undefined;
  t.driver.onNextList = () => {
    activation = t.service.activate(renewal.identity.key, { txHash: null, payer: renewal.identity.payer });
  };

  t.clock.jump(MINUTE);
  await t.clock.advance(0);
  await settle(5);
  await activation;
  expect(t.driver.removals).toEqual([]);
  // Renewed after its expiry: the five minutes count from when the renewal settled.
  expect(t.store.getLease(lease.id)).toMatchObject({ state: "active", expiresAt: t.clock.now() + 5 * MINUTE });
  // Its traffic was stopped for the reading; the activation's reconcile gave its address back.
  const [peer] = await t.driver.listPeers();
  expect(peer?.publicKey).toBe(lease.publicKey);
  expect(peer?.allowedIps).toHaveLength(1);
  expect(await t.metrics.registry.metrics()).toMatch(/agent_expiry_lateness_seconds_count 0/);
});

it("a meter poll waits while an expiry batch reads the device, then reads it itself", async () => {
  const t = setup();
  const [due, other] = await t.settledLeases(2);
  if (!due || !other) throw new Error("no leases");
  await t.service.start();
  // `other` is renewed so that only `due` expires.
  const renewal = t.payment(10);
  t.service.reserveRenewal(other.id, renewal);
  await t.service.activate(renewal.identity.key, { txHash: null, payer: renewal.identity.payer });
  t.driver.addTraffic(due.publicKey, 300, 400);
  t.driver.addTraffic(other.publicKey, 1_000, 2_000);

  const reads = t.driver.reads;
  t.driver.hold();
  await t.clock.advance(MINUTE);
  await settle();
  expect(t.driver.reads).toBe(reads + 1); // the expiry's read is in flight
  const polled = t.service.peers.pollMeter();
  await settle();
  expect(t.driver.reads).toBe(reads + 1); // the poll queued nothing behind it
  t.driver.releaseHeld();
  await settle();
  expect(t.store.getLease(due.id)).toMatchObject({ state: "expired", bytesUp: 300, bytesDown: 400 });
  expect(await polled).toBe(1);
  expect(t.driver.reads).toBe(reads + 2);
  expect(t.store.getLease(other.id)).toMatchObject({ state: "active", bytesUp: 1_000, bytesDown: 2_000 });
  expect(t.store.getLease(due.id)).toMatchObject({ state: "expired", bytesUp: 300, bytesDown: 400 });
});

it("a meter poll writes only readings that changed, and never over a final reading taken meanwhile", async () => {
  const t = setup();
  const count = 2 * POLL_CHUNK + 10;
  const leases = await t.settledLeases(count);
  await t.service.start();
  expect(await t.service.peers.pollMeter()).toBe(0); // nothing moved yet
  // The last lease in the poll's order: its chunk is written after the poll has yielded twice.
  const last = leases.at(-1);
  if (!last) throw new Error("no leases");
  t.driver.addTraffic(last.publicKey, 100, 100);
  t.driver.addTraffic(leases[0]?.publicKey ?? "", 7, 7);

  let pollDone = false;
  const polling = t.service.peers.pollMeter().then((written) => {
    pollDone = true;
    return written;
  });
  // After the poll's read: these bytes are only in the close's final reading.
  t.driver.addTraffic(last.publicKey, 50, 50);
  const receipt = await t.service.close(last.id);
  expect(pollDone).toBe(false); // the close ran while the poll was still writing
  expect(await polling).toBeLessThanOrEqual(2);
  expect(receipt).toMatchObject({ bytesUp: 150, bytesDown: 150 });
  expect(t.store.getLease(last.id)).toMatchObject({ state: "closed", bytesUp: 150, bytesDown: 150 });
  expect(t.store.getLease(leases[0]?.id ?? "")).toMatchObject({ bytesUp: 7, bytesDown: 7 });
});

it("a meter poll gives way to an expiry wave, then reads the device itself", async () => {
  const t = setup();
  const [first, second, other] = await t.settledLeases(3);
  if (!first || !second || !other) throw new Error("no leases");
  await t.service.start();
  const renewal = t.payment(10);
  t.service.reserveRenewal(other.id, renewal);
  await t.service.activate(renewal.identity.key, { txHash: null, payer: renewal.identity.payer });
  t.driver.addTraffic(other.publicKey, 1_000, 2_000);

  await t.clock.advance(first.expiresAt - t.clock.now());
  await settle();
  expect(t.driver.removals).toEqual([[first.publicKey]]);
  const reads = t.driver.reads;
  const started = performance.now();
  let polled: number | undefined;
  const polling = t.service.peers.pollMeter().then((written) => {
    polled = written;
  });
  await settle();
  await t.clock.advance(second.expiresAt - t.clock.now());
  await settle();
  // The second batch went first, and the poll is still giving way: it has read nothing yet.
  expect(t.driver.removals).toEqual([[first.publicKey], [second.publicKey]]);
  expect(t.driver.reads).toBe(reads + 1);
  expect(polled).toBeUndefined();

  await polling;
  expect(polled).toBe(1);
  expect(performance.now() - started).toBeGreaterThanOrEqual(EXPIRY_WAVE_MS);
  expect(performance.now() - started).toBeLessThan(POLL_MAX_DEFER_MS);
  expect(t.driver.reads).toBe(reads + 2);
  expect(t.store.getLease(other.id)).toMatchObject({ bytesUp: 1_000, bytesDown: 2_000 });
});
