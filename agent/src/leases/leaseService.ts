import { randomBytes } from "node:crypto";
import { type CreateLeaseResponse, ErrorCode, type Lease, type UsageReceipt } from "@wg402/shared";
import { HttpError } from "@wg402/shared/http";
import type { WireguardDriver } from "@wg402/wireguard";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { ExpiryScheduler } from "../expiry/expiryScheduler.ts";
import {
  type LeaseRecord,
  type LeaseStore,
  LedgerConflict,
  type MeterUpdate,
  type NewPayment,
  type PaymentRecord,
  type Usage,
} from "../ledger/leaseStore.ts";
import { Meter } from "../metering/meter.ts";
import { meterTotals } from "../metering/readMeter.ts";
import type { AgentMetrics } from "../metrics.ts";
import type { PaymentIdentity } from "../payments/paymentKey.ts";
import type { SettlementCheck } from "../payments/settlementCheck.ts";
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
  paymentTimeoutMs: number;
  minuteMs: number;
  /** Asks whether a payment still pending in the ledger settled anyway (a crash between settle and hook). */
  settlementCheck?: SettlementCheck;
};

// A client signs its authorization a moment after our reservation; wait a little past its validity.
const PENDING_MARGIN_MS = 30_000;

const conflictStatus: Record<LedgerConflict["reason"], number> = {
  lease_exists: 409,
  capacity_exhausted: 503,
  payment_replayed: 409,
  lease_not_found: 404,
  lease_not_active: 409,
};

function toHttp(error: unknown): never {
  if (error instanceof LedgerConflict) {
    throw new HttpError(
      conflictStatus[error.reason],
      ErrorCode[error.reason],
      error.message,
      error.leaseId ? { leaseId: error.leaseId } : undefined,
    );
  }
  throw error;
}

const newLeaseId = () => `lease_${randomBytes(16).toString("hex")}`;
const noUsage: Usage = { bytesUp: 0, bytesDown: 0, lastHandshakeAt: null };

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
    await this.recoverSettled(this.p.store.stalePendingPayments(Number.POSITIVE_INFINITY));
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
      throw new HttpError(409, ErrorCode.lease_exists, "this WireGuard key already has a lease on this node", {
        leaseId: live.id,
      });
    }
    if (this.p.store.capacity(this.p.clock.now()).available <= 0) {
      throw new HttpError(
        503,
        ErrorCode.capacity_exhausted,
        "this node has no free tunnel address left; try another node",
      );
    }
  }

  /** Refuses, before any price is asked, a renewal of an unknown or finished lease. */
  precheckRenew(leaseId: string): void {
    const lease = this.p.store.getLease(leaseId);
    if (!lease) throw new HttpError(404, ErrorCode.lease_not_found, `no lease ${leaseId} on this node`);
    if (!this.p.store.renewable(lease, this.p.clock.now(), this.p.graceMs)) {
      throw new HttpError(409, ErrorCode.lease_not_active, `a ${lease.state} lease cannot be renewed; buy a new one`, {
        leaseId,
      });
    }
  }

  /**
   * A verified payment for a new lease: reserve it (pending, address held). The answer describes the lease
   * as it will be once settlement succeeds; if it fails, the client never sees this answer.
   */
  reserveLease(publicKey: string, minutes: number, payment: NewPayment): CreateLeaseResponse {
    const now = this.p.clock.now();
    // An active lease of this key whose time ran out gives way to the new one.
    const stale = this.p.store.liveLeaseForKey(publicKey);
    if (stale?.state === "active" && stale.expiresAt <= now) this.p.store.markExpired(stale.id, undefined);
    let lease: LeaseRecord;
    try {
      lease = this.p.store.createPendingLease({ id: newLeaseId(), publicKey, minutes, payment, now });
    } catch (error) {
      toHttp(error);
    }
    const projected = { ...lease, state: "active" as const, payer: payment.payer };
    return {
      lease: {
        ...leaseView(projected, [], noUsage, now),
        payments: this.p.store.payments(lease.id).map((p) => paymentView({ ...p, settledAt: now })),
        totalPaid: payment.amount,
      },
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

  /** A verified payment for more time on `leaseId`: recorded as pending until it settles. */
  reserveRenewal(leaseId: string, payment: NewPayment): Lease {
    const now = this.p.clock.now();
    let lease: LeaseRecord;
    try {
      lease = this.p.store.addPendingRenewal({ leaseId, payment, now, graceMs: this.p.graceMs });
    } catch (error) {
      toHttp(error);
    }
    // Projected: this renewal lands after every renewal already pending on the lease (itself included).
    const pendingMinutes = this.p.store
      .payments(leaseId)
      .filter((p) => p.status === "pending" && p.kind === "renew")
      .reduce((sum, p) => sum + p.minutes, 0);
    const base = Math.max(lease.expiresAt, now);
    const projected = { ...lease, state: "active" as const, expiresAt: base + pendingMinutes * this.p.minuteMs };
    return leaseView(projected, this.p.store.payments(leaseId), this.usageFromStore(lease), now);
  }

  /** Settlement succeeded: activate (or extend) in the ledger, then bring WireGuard in line. */
  async activate(identity: PaymentIdentity, settlement: { txHash: string | null; payer: string }): Promise<void> {
    const result = this.p.store.settlePayment(identity.key, { ...settlement, now: this.p.clock.now() });
    if (!result) return;
    this.expiry.schedule(result.lease.id, result.lease.expiresAt);
    this.p.metrics.leaseEvents.inc({ event: result.payment.kind === "create" ? "created" : "renewed" });
    this.p.log.info(
      { lease: result.lease.id, kind: result.payment.kind, minutes: result.payment.minutes, tx: settlement.txHash },
      "payment settled",
    );
    await this.reconcile();
  }

  /** Settlement failed or was cancelled: the reservation goes, and no peer ever existed for it. */
  async abandon(identity: PaymentIdentity, reason: string): Promise<void> {
    const failed = this.p.store.failPayment(identity.key, reason, this.p.clock.now());
    if (!failed) return;
    this.p.metrics.paymentFailures.inc({ reason: reason.split(/[:\s(]/)[0] || "unknown" });
    this.p.log.warn({ lease: failed.leaseId, kind: failed.kind, reason }, "payment abandoned");
  }

  async view(leaseId: string): Promise<Lease> {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") {
      throw new HttpError(404, ErrorCode.lease_not_found, `no lease ${leaseId} on this node`);
    }
    const usage = await this.meter.usage(lease);
    return leaseView(lease, this.p.store.payments(leaseId), usage, this.p.clock.now());
  }

  /** Closes a lease early (the caller has proven it is the payer) and returns the final receipt. */
  async close(leaseId: string): Promise<UsageReceipt> {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") {
      throw new HttpError(404, ErrorCode.lease_not_found, `no lease ${leaseId} on this node`);
    }
    if (lease.state === "closed") {
      throw new HttpError(409, ErrorCode.lease_not_active, "this lease is already closed", { leaseId });
    }
    const now = this.p.clock.now();
    let closed: LeaseRecord;
    try {
      closed = await this.exclusive(async () => {
        const [final] = await this.finalReadings([lease]);
        return this.p.store.closeLease(leaseId, now, final);
      });
    } catch (error) {
      toHttp(error);
    }
    this.expiry.unschedule(leaseId);
    this.p.metrics.leaseEvents.inc({ event: "closed" });
    await this.reconcile();
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

  payerOf(leaseId: string): string | null | undefined {
    return this.p.store.getLease(leaseId)?.payer;
  }

  /** Drops reservations whose payment never settled and gives lapsed leases' addresses back. */
  async sweep(): Promise<void> {
    const now = this.p.clock.now();
    const stale = this.p.store.stalePendingPayments(now - this.p.paymentTimeoutMs - PENDING_MARGIN_MS);
    // Past its authorization's validity a payment can no longer settle: one last look, then let it go.
    const settled = await this.recoverSettled(stale);
    for (const payment of stale.filter((p) => !settled.has(p.paymentKey))) {
      this.p.store.failPayment(payment.paymentKey, "payment_timeout", now);
      this.p.metrics.paymentFailures.inc({ reason: "payment_timeout" });
    }
    this.p.store.releaseLapsed(now, this.p.graceMs);
  }

  /** Activates pending payments that the chain shows were settled. Returns their keys. */
  private async recoverSettled(payments: PaymentRecord[]): Promise<Set<string>> {
    const settled = new Set<string>();
    const check = this.p.settlementCheck;
    if (!check) return settled;
    for (const payment of payments) {
      try {
        const result = await check(payment);
        if (!result) continue;
        settled.add(payment.paymentKey);
        this.p.log.warn(
          { lease: payment.leaseId, tx: result.txHash },
          "recovered a payment that settled without its hook",
        );
        await this.activate(
          {
            key: payment.paymentKey,
            payer: result.payer,
            scheme: payment.scheme,
            network: payment.network,
            asset: payment.asset,
          },
          result,
        );
      } catch (err) {
        this.p.log.warn({ err, lease: payment.leaseId }, "could not check a pending payment on-chain");
        settled.add(payment.paymentKey); // unknown: keep it pending rather than drop a payment that may be real
      }
    }
    return settled;
  }

  /** Cuts off every lease whose time ran out: final counters first, then the peer goes. */
  async expireDue(): Promise<void> {
    const now = this.p.clock.now();
    const due = this.p.store.dueForExpiry(now);
    if (due.length === 0) return;
    await this.exclusive(async () => {
      const finals = await this.finalReadings(due);
      this.p.store.markExpiredMany(due.map((lease, i) => ({ id: lease.id, final: finals[i] as MeterUpdate })));
      // These keys are known to be unwanted now: remove them directly rather than diffing the whole device.
      await this.p.driver.apply({ upsert: [], remove: due.map((lease) => lease.publicKey) });
    });
    const removedAt = this.p.clock.now();
    for (const lease of due) this.p.metrics.expiryLateness.observe(Math.max(0, removedAt - lease.expiresAt) / 1000);
    this.p.metrics.leaseEvents.inc({ event: "expired" }, due.length);
    this.p.metrics.activeLeases.dec(due.length);
    this.p.log.info(
      { count: due.length, first: due[0]?.id, latenessMs: removedAt - (due[0] as LeaseRecord).expiresAt },
      "leases expired",
    );
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
    const active = this.p.store.activeLeases(this.p.clock.now());
    this.p.metrics.activeLeases.set(active.length);
    const desired = active.map((lease) => ({
      publicKey: lease.publicKey,
      allowedIps: [`${lease.address}/32`],
    }));
    const change = diffPeers(desired, await this.p.driver.listPeers());
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
   * after the reading, so no billed byte is lost.
   */
  private async finalReadings(leases: LeaseRecord[]): Promise<MeterUpdate[]> {
    const live = leases.filter((lease) => lease.state === "active");
    // No presence check first: a peer that was missing comes back with no allowed IPs, carries nothing, and
    // is removed right after by the caller. One device read fewer per expiry batch.
    if (live.length > 0) {
      await this.p.driver.apply({ upsert: live.map((l) => ({ publicKey: l.publicKey, allowedIps: [] })), remove: [] });
    }
    const peers = new Map((await this.p.driver.listPeers()).map((peer) => [peer.publicKey, peer]));
    return leases.map((lease) =>
      this.meter.finalReading(lease, lease.state === "active" ? peers.get(lease.publicKey) : undefined),
    );
  }
}
