import { type Clock, createSerialQueue } from "@wg402/shared/runtime";
import type { WireguardDriver } from "@wg402/wireguard";
import type { Logger } from "pino";
import { ExpiryScheduler } from "../expiry/expiryScheduler.ts";
import type { LeaseRecord, LeaseStore, MeterUpdate } from "../ledger/leaseStore.ts";
import { DataMeter } from "../metering/dataMeter.ts";
import { Meter } from "../metering/meter.ts";
import type { AgentMetrics } from "../metrics.ts";
import { diffPeers } from "../reconcilePeers.ts";

export type PeerSyncParameters = {
  store: LeaseStore;
  driver: WireguardDriver;
  clock: Clock;
  metrics: AgentMetrics;
  log: Logger;
  /** The regular meter poll, and the fastest a lease nearing its data allowance is read. */
  meterIntervalMs?: number;
  meterMinIntervalMs?: number;
  /** The node's uplink in Mbit/s: the fastest a lease can use its allowance. */
  topMbit?: number;
};

/** The floor of reads on the top-rate bound alone, before the read budget (see DataWatch). */
const IDLE_MIN_MS = 100;

/**
 * Keeps WireGuard equal to the ledger: the coalescing reconcile, expiry at each deadline, the meter, and
 * final readings. Everything that touches the device goes through one lane, so a reconcile can never
 * hand a peer its addresses back between "stop its traffic" and "read its counters".
 */
export class PeerSync {
  private readonly p: PeerSyncParameters;
  readonly meter: Meter;
  /** Reads leases limited by data faster as they near their allowance, and cuts them there. */
  readonly data: DataMeter;
  private readonly expiry: ExpiryScheduler;
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  private readonly exclusive = createSerialQueue();

  constructor(parameters: PeerSyncParameters) {
    this.p = parameters;
    this.meter = new Meter(parameters.store, parameters.driver);
    this.expiry = new ExpiryScheduler({
      clock: parameters.clock,
      nextDeadline: () => parameters.store.nextExpiry(),
      onDue: () => this.expireDue(),
      onError: (err: unknown) => parameters.log.error({ err }, "expiry failed"),
    });
    const intervalMs = parameters.meterIntervalMs ?? 10_000;
    this.data = new DataMeter({
      store: parameters.store,
      meter: this.meter,
      clock: parameters.clock,
      log: parameters.log,
      policy: {
        intervalMs,
        minMs: Math.min(intervalMs, parameters.meterMinIntervalMs ?? 100),
        idleMinMs: Math.min(intervalMs, IDLE_MIN_MS),
        topRate: ((parameters.topMbit ?? 1_000) * 1_000_000) / 8 / 1_000,
      },
      cut: () => this.expireDue(),
    });
  }

  /** Expires what ran out while the agent was down, starts the expiry timer and puts every paid peer back. */
  async start(): Promise<void> {
    await this.expireDue();
    this.expiry.start();
    await this.reconcile();
    this.data.start();
    await this.data.check(true);
  }

  stop(): void {
    this.expiry.stop();
    this.data.stop();
  }

  /** A lease's deadline (or allowance) was set or moved in the ledger. */
  leaseChanged(lease: LeaseRecord): void {
    this.expiry.schedule(lease.expiresAt);
    this.data.leaseChanged(lease);
  }

  /**
   * Runs `write` (a ledger change that ends a lease) with the lease's final reading, taken in the device
   * lane after its traffic stopped; then the device follows the ledger, whether `write` succeeded or not.
   */
  async endWithFinalReading<T>(lease: LeaseRecord, write: (final: MeterUpdate | undefined) => T): Promise<T> {
    try {
      return await this.exclusive(async () => {
        const [final] = await this.finalReadings([lease]);
        return write(final);
      });
    } finally {
      await this.reconcile();
    }
  }

  /**
   * Cuts off every lease whose time ran out: final counters first, then the peer goes. Earliest deadline
   * first, in batches of at most {@link ExpiryScheduler.batchMax}, each taken from the ledger once the device
   * lane is free (so leases that came due while a reconcile held it join the batch) and removed as soon as
   * it is done, rather than behind thousands of later deadlines.
   */
  async expireDue(): Promise<void> {
    for (;;) {
      const batch = await this.exclusive(async () => {
        const now = this.p.clock.now();
        const due = this.p.store.dueForExpiry(now);
        const leases = due.slice(0, ExpiryScheduler.batchMax);
        if (leases.length === 0) return { expired: [], more: false };
        const revision = this.expiry.revision;
        const finals = await this.finalReadings(leases);
        // A renewal may have settled while the counters were read (every settlement reschedules its lease):
        // that lease is not due any more. Its traffic stopped for a moment; the reconcile its activation queued
        // behind this batch gives its address back.
        const renewed = this.expiry.revision !== revision;
        const expired = leases.flatMap((lease, i) => {
          const current = renewed ? this.p.store.getLease(lease.id) : lease;
          return current?.state === "active" && current.expiresAt <= now
            ? [{ lease, final: finals[i] as MeterUpdate }]
            : [];
        });
        this.p.store.markExpiredMany(expired.map(({ lease, final }) => ({ id: lease.id, final })));
        // These keys are known to be unwanted now: remove them directly rather than diffing the whole device.
        await this.p.driver.apply({ upsert: [], remove: expired.map(({ lease }) => lease.publicKey) });
        return { expired: expired.map(({ lease }) => lease), more: due.length > leases.length };
      });
      const { expired } = batch;
      if (expired.length > 0) {
        const removedAt = this.p.clock.now();
        for (const lease of expired) {
          this.p.metrics.expiryLateness.observe(Math.max(0, removedAt - lease.expiresAt) / 1000);
        }
        this.p.metrics.leaseEvents.inc({ event: "expired" }, expired.length);
        this.p.metrics.activeLeases.dec(expired.length);
        this.p.log.info(
          {
            count: expired.length,
            first: expired[0]?.id,
            latenessMs: removedAt - (expired[0] as LeaseRecord).expiresAt,
          },
          "leases expired",
        );
      }
      if (!batch.more) return;
    }
  }

  /** Reads the device's counters into the ledger (the meter's periodic poll). */
  async pollMeter(): Promise<number> {
    const written = await this.meter.poll(this.p.clock.now());
    await this.data.afterPoll(this.meter.lastDataReadings);
    return written;
  }

  /** The device was lost and recreated with no peers: restart meter generations and put every peer back. */
  async deviceRecreated(): Promise<void> {
    this.meter.restartGenerations(this.p.clock.now());
    await this.reconcile();
  }

  /**
   * Makes the device's peers equal the ledger's active leases. Runs one at a time; calls that arrive
   * meanwhile coalesce into one more run.
   */
  async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      try {
        do {
          this.reconcileAgain = false;
          await this.exclusive(() => this.reconcileOnce());
        } while (this.reconcileAgain);
      } finally {
        this.reconciling = undefined;
      }
    })();
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const now = this.p.clock.now();
    const active = this.p.store.activeLeases(now);
    this.p.metrics.activeLeases.set(active.length);
    const desired = active.map((lease) => ({
      publicKey: lease.publicKey,
      allowedIps: [`${lease.address}/32`],
    }));
    // A lease past its deadline that expiry has not taken yet keeps its peer: expiry reads its final
    // counters before removing it, and a removal here would lose the bytes since the last meter poll.
    const overdue = new Set(this.p.store.dueForExpiry(now).map((lease) => lease.publicKey));
    const diff = diffPeers(desired, await this.p.driver.listPeers());
    const change = { upsert: diff.upsert, remove: diff.remove.filter((key) => !overdue.has(key)) };
    if (change.upsert.length === 0 && change.remove.length === 0) return;
    await this.p.driver.apply(change);
    this.p.metrics.reconcileChanges.inc({ op: "upsert" }, change.upsert.length);
    this.p.metrics.reconcileChanges.inc({ op: "remove" }, change.remove.length);
    this.p.log.info({ upserted: change.upsert.length, removed: change.remove.length }, "reconciled peers");
  }

  /**
   * Stops the peers' traffic first (no allowed IPs), then reads their counters once: nothing can be sent
   * after the reading, so no billed byte is lost. The read is the meter's, so a poll due meanwhile shares it.
   */
  private async finalReadings(leases: LeaseRecord[]): Promise<MeterUpdate[]> {
    const live = leases.filter((lease) => lease.state === "active");
    // Only an active lease has a peer to read; nothing else needs the device.
    if (live.length === 0) return leases.map((lease) => this.meter.finalReading(lease, undefined));
    // No presence check first: a peer that was missing comes back with no allowed IPs, carries nothing, and
    // is removed right after by the caller. One device read fewer per expiry batch.
    await this.p.driver.apply({ upsert: live.map((l) => ({ publicKey: l.publicKey, allowedIps: [] })), remove: [] });
    const peers = (await this.meter.readPeers({ final: true })).pick(live.map((lease) => lease.publicKey));
    return leases.map((lease) =>
      this.meter.finalReading(lease, lease.state === "active" ? peers.get(lease.publicKey) : undefined),
    );
  }
}
