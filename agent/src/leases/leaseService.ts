import { randomBytes } from "node:crypto";
import {
  BaseError,
  type CreateLeaseResponse,
  ErrorCode,
  type Lease,
  type LeaseSummary,
  type RenewLeaseResponse,
  type UsageReceipt,
} from "@wg402/shared";
import type { WireguardDriver } from "@wg402/wireguard";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { ExpiryScheduler } from "../expiry/expiryScheduler.ts";
import type { LeaseRecord, LeaseStore, MeterUpdate, NewPayment, Usage } from "../ledger/leaseStore.ts";
import { Meter } from "../metering/meter.ts";
import { meterTotals } from "../metering/readMeter.ts";
import type { AgentMetrics } from "../metrics.ts";
import { diffPeers } from "../reconcilePeers.ts";
import { leaseView, paymentView } from "./leaseView.ts";
import { tunnelConfig } from "./tunnelConfig.ts";

export type LeaseServiceParameters = {
  store: LeaseStore;
  driver: WireguardDriver;
  clock: Clock;
  metrics: AgentMetrics;
  log: Logger;
  serverPublicKey: string;
  endpoint: string;
  allowedIps: string[];
  dns: string[];
  keepaliveSeconds: number;
  graceMs: number;
  minuteMs: number;
};

const newLeaseId = () => `lease_${randomBytes(16).toString("hex")}`;
const notFound = (leaseId: string) =>
  new BaseError(`no lease ${leaseId} on this node`, { code: ErrorCode.lease_not_found });

/**
 * The lease lifecycle. The ledger is written first; WireGuard follows through {@link reconcile}, so a
 * crash between the two is repaired by the next reconcile rather than leaving paid time without a peer.
 */
export class LeaseService {
  private readonly p: LeaseServiceParameters;
  readonly meter: Meter;
  private readonly expiry: ExpiryScheduler;
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  // Reconciling and taking a peer's final reading must not interleave, or a reconcile could hand a peer its
  // allowed IPs back between "stop its traffic" and "read its counters".
  private deviceTail: Promise<unknown> = Promise.resolve();

  constructor(parameters: LeaseServiceParameters) {
    this.p = parameters;
    this.meter = new Meter(parameters.store, parameters.driver);
    this.expiry = new ExpiryScheduler({
      clock: parameters.clock,
      onDue: () => this.expireDue(),
      onError: (err: unknown) => parameters.log.error({ err }, "expiry failed"),
    });
  }

  /** Restores the device from the ledger and starts the expiry timer. */
  async start(): Promise<void> {
    await this.sweep();
    await this.expireDue();
    for (const lease of this.p.store.activeLeases(this.p.clock.now())) this.expiry.schedule(lease.id, lease.expiresAt);
    this.expiry.start();
    await this.reconcile();
  }

  stop(): void {
    this.expiry.stop();
  }

  /** Refuses, before any price is asked, a key that already has a lease or a node with no room. */
  precheckCreate(publicKey: string): void {
    const live = this.p.store.liveLeaseForKey(publicKey);
    if (live && !(live.state === "active" && live.expiresAt <= this.p.clock.now())) {
      // No lease id here: a public key is no proof of being its payer.
      throw new BaseError("this WireGuard key already has a lease on this node", { code: ErrorCode.lease_exists });
    }
    if (this.p.store.capacity(this.p.clock.now()).available <= 0) {
      throw new BaseError("this node has no free tunnel address left; try another node", {
        code: ErrorCode.capacity_exhausted,
      });
    }
  }

  /** Refuses, before any price is asked, a renewal of an unknown or finished lease. */
  precheckRenew(leaseId: string): void {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") throw notFound(leaseId);
    if (!this.p.store.renewable(lease, this.p.clock.now(), this.p.graceMs)) {
      throw new BaseError(`a ${lease.state} lease cannot be renewed; buy a new one`, {
        code: ErrorCode.lease_not_active,
      });
    }
  }

  /** A verified payment for a new lease: reserve it (pending, address held) until settlement decides. */
  reserveLease(publicKey: string, payment: NewPayment): LeaseRecord {
    const now = this.p.clock.now();
    // An active lease of this key whose time ran out gives way to the new one.
    const stale = this.p.store.liveLeaseForKey(publicKey);
    if (stale?.state === "active" && stale.expiresAt <= now) this.p.store.markExpired(stale.id, undefined);
    return this.p.store.createPendingLease({ id: newLeaseId(), publicKey, payment, now });
  }

  /** A verified payment for more time on `leaseId`: recorded as pending until settlement decides. */
  reserveRenewal(leaseId: string, payment: NewPayment): LeaseRecord {
    return this.p.store.addPendingRenewal({ leaseId, payment, now: this.p.clock.now(), graceMs: this.p.graceMs });
  }

  /** Settlement succeeded: activate (or extend) in the ledger, then bring WireGuard in line. */
  async activate(paymentKey: string, settlement: { txHash: string | null; payer: string }) {
    const result = this.p.store.settlePayment(paymentKey, { ...settlement, now: this.p.clock.now() });
    if (!result) return undefined;
    this.expiry.schedule(result.lease.id, result.lease.expiresAt);
    this.p.metrics.leaseEvents.inc({ event: result.payment.kind === "create" ? "created" : "renewed" });
    this.p.log.info(
      { lease: result.lease.id, kind: result.payment.kind, minutes: result.payment.minutes, tx: settlement.txHash },
      "payment settled",
    );
    await this.reconcile();
    return result;
  }

  /** The paid answer to a lease's creation: the lease and the tunnel settings the client needs. */
  createdAnswer(lease: LeaseRecord): CreateLeaseResponse {
    return {
      lease: leaseView(lease, this.p.store.payments(lease.id), this.usageFromStore(lease), this.p.clock.now()),
      tunnel: tunnelConfig({
        serverPublicKey: this.p.serverPublicKey,
        endpoint: this.p.endpoint,
        address: lease.address,
        allowedIps: this.p.allowedIps,
        dns: this.p.dns,
        keepaliveSeconds: this.p.keepaliveSeconds,
      }),
    };
  }

  renewedAnswer(lease: LeaseRecord, minutes: number): RenewLeaseResponse {
    return {
      lease: leaseView(lease, this.p.store.payments(lease.id), this.usageFromStore(lease), this.p.clock.now()),
      minutes,
    };
  }

  /** What anyone may know of a lease: that it exists, its state and its expiry. */
  summary(leaseId: string): LeaseSummary {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") throw notFound(leaseId);
    const view = leaseView(lease, [], this.usageFromStore(lease), this.p.clock.now());
    return { id: view.id, state: view.state, expiresAt: view.expiresAt };
  }

  /** Everything about a lease, for its payer. */
  async view(leaseId: string): Promise<Lease> {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") throw notFound(leaseId);
    const usage = await this.meter.usage(lease);
    return leaseView(lease, this.p.store.payments(leaseId), usage, this.p.clock.now());
  }

  /** Closes a lease early (the caller has proven it is the payer) and returns the final receipt. */
  async close(leaseId: string): Promise<UsageReceipt> {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") throw notFound(leaseId);
    if (lease.state === "closed") {
      throw new BaseError("this lease is already closed", { code: ErrorCode.lease_not_active });
    }
    if (this.p.store.hasOpenPayment(leaseId)) {
      throw new BaseError("a payment for this lease is still settling; close it once it has", {
        code: ErrorCode.settlement_unknown,
      });
    }
    const now = this.p.clock.now();
    let closed: LeaseRecord;
    try {
      closed = await this.exclusive(async () => {
        const [final] = await this.finalReadings([lease]);
        return this.p.store.closeLease(leaseId, now, final);
      });
    } finally {
      // Closed: the peer goes. Refused after its traffic was stopped: the peer gets its addresses back.
      await this.reconcile();
    }
    this.expiry.unschedule(leaseId);
    this.p.metrics.leaseEvents.inc({ event: "closed" });
    const payments = this.p.store.payments(leaseId).filter((p) => p.status === "settled");
    const endedAt = closed.endedAt ?? now;
    return {
      leaseId,
      state: "closed",
      payer: closed.payer,
      startedAt: new Date(closed.createdAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      secondsUsed: Math.max(0, Math.floor((Math.min(endedAt, lease.expiresAt) - closed.createdAt) / 1000)),
      bytesUp: closed.bytesUp,
      bytesDown: closed.bytesDown,
      totalPaid: payments.reduce((sum, p) => sum + BigInt(p.amount), 0n).toString(),
      payments: payments.map(paymentView),
    };
  }

  /** Whether `token` is the bearer token this lease's buyer was given. */
  tokenMatches(leaseId: string, token: string): boolean {
    return this.p.store.tokenMatches(leaseId, token);
  }

  payerOf(leaseId: string): string | null | undefined {
    return this.p.store.getLease(leaseId)?.payer;
  }

  /** Gives lapsed leases' addresses back (after the grace window, and once no payment of theirs is open). */
  async sweep(): Promise<void> {
    this.p.store.releaseLapsed(this.p.clock.now(), this.p.graceMs);
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
    return this.meter.poll(this.p.clock.now());
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

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.deviceTail.then(task, task);
    this.deviceTail = run.catch(() => undefined);
    return run;
  }

  private usageFromStore(lease: LeaseRecord): Usage {
    return { ...meterTotals(lease.meter), lastHandshakeAt: lease.lastHandshakeAt };
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
