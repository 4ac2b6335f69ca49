import { randomBytes } from "node:crypto";
import {
  BaseError,
  type CreateLeaseResponse,
  ErrorCode,
  type Lease,
  type LeaseSummary,
  type LeaseUnits,
  type RenewLeaseResponse,
  type UsageReceipt,
} from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { WireguardDriver } from "@wg402/wireguard";
import type { Logger } from "pino";
import type { ChannelGrant, LeaseRecord, LeaseStore, NewPayment, Usage } from "../ledger/leaseStore.ts";
import { meterTotals } from "../metering/readMeter.ts";
import type { AgentMetrics } from "../metrics.ts";
import { leaseView } from "./leaseView.ts";
import { PeerSync } from "./peerSync.ts";
import { tunnelConfig } from "./tunnelConfig.ts";
import { usageReceipt } from "./usageReceipt.ts";

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
  /** The meter's regular poll, and the fastest it reads a lease nearing its data allowance. */
  meterIntervalMs?: number;
  meterMinIntervalMs?: number;
  topMbit?: number;
};

const newLeaseId = () => `lease_${randomBytes(16).toString("hex")}`;
const notFound = (leaseId: string) =>
  new BaseError(`no lease ${leaseId} on this node`, { code: ErrorCode.lease_not_found });

/**
 * The lease lifecycle: refuse before payment, reserve, activate, view, close. The ledger is written first;
 * WireGuard follows through {@link PeerSync}, so a crash between the two is repaired by the next reconcile
 * rather than leaving paid time without a peer.
 */
export class LeaseService {
  private readonly p: LeaseServiceParameters;
  /** The device side: reconcile, expiry, meter. */
  readonly peers: PeerSync;

  constructor(parameters: LeaseServiceParameters) {
    this.p = parameters;
    this.peers = new PeerSync(parameters);
  }

  /** Gives lapsed addresses back, then restores the device from the ledger and starts the expiry timer. */
  async start(): Promise<void> {
    await this.sweep();
    await this.peers.start();
  }

  stop(): void {
    this.peers.stop();
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

  /**
   * Refuses, before any price is asked, a renewal of an unknown or finished lease, and one that buys what the
   * lease is not limited by or leaves it out of what ran out (see {@link renewalMismatch}).
   */
  precheckRenew(leaseId: string, units: LeaseUnits): void {
    const lease = this.p.store.getLease(leaseId);
    if (!lease || lease.state === "pending") throw notFound(leaseId);
    const now = this.p.clock.now();
    if (!this.p.store.renewable(lease, now, this.p.graceMs)) {
      throw new BaseError(`a ${lease.state} lease cannot be renewed; buy a new one`, {
        code: ErrorCode.lease_not_active,
      });
    }
    const mismatch = renewalMismatch(lease, units, now);
    if (mismatch) throw new BaseError(mismatch, { code: ErrorCode.plan_mismatch });
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
  async activate(paymentKey: string, settlement: { txHash: string | null; payer: string; grant?: ChannelGrant }) {
    const result =
      this.p.store.settlePayment(paymentKey, { ...settlement, now: this.p.clock.now() }) ??
      this.grantedUnanswered(paymentKey);
    if (!result) return undefined;
    this.peers.leaseChanged(result.lease);
    this.p.metrics.leaseEvents.inc({ event: result.payment.kind === "create" ? "created" : "renewed" });
    this.p.log.info(
      { lease: result.lease.id, kind: result.payment.kind, minutes: result.payment.minutes, tx: settlement.txHash },
      "payment settled",
    );
    await this.peers.reconcile();
    return result;
  }

  /** Granted in the transaction that committed its channel charge, and not answered yet: this request's. */
  private grantedUnanswered(paymentKey: string) {
    const payment = this.p.store.getPayment(paymentKey);
    if (payment?.status !== "settled" || payment.answer !== null || payment.scheme === "exact") return undefined;
    const lease = this.p.store.getLease(payment.leaseId);
    return lease ? { payment, lease } : undefined;
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

  renewedAnswer(lease: LeaseRecord, units: LeaseUnits): RenewLeaseResponse {
    return {
      lease: leaseView(lease, this.p.store.payments(lease.id), this.usageFromStore(lease), this.p.clock.now()),
      ...units,
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
    const usage = await this.peers.meter.usage(lease);
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
    // Closed: the peer goes. Refused after its traffic was stopped: the peer gets its addresses back.
    const closed = await this.peers.endWithFinalReading(lease, (final) => this.p.store.closeLease(leaseId, now, final));
    this.p.metrics.leaseEvents.inc({ event: "closed" });
    return usageReceipt({ closed, expiresAt: lease.expiresAt, payments: this.p.store.payments(leaseId), now });
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

  private usageFromStore(lease: LeaseRecord): Usage {
    return { ...meterTotals(lease.meter), lastHandshakeAt: lease.lastHandshakeAt };
  }
}

/**
 * Why a renewal cannot buy `units` for this lease, if it cannot: a time lease takes minutes only, a data lease
 * megabytes only, and a hybrid lease whose time (or data) ran out must buy some of it again, or it would end
 * the moment it restarted.
 */
export function renewalMismatch(lease: LeaseRecord, units: LeaseUnits, now: number): string | undefined {
  if (lease.plan === "time" && units.megabytes > 0) return "this is a time lease: renew it with minutes";
  if (lease.plan === "data" && units.minutes > 0) return "this is a data lease: renew it with megabytes";
  if (lease.plan !== "hybrid") return undefined;
  if (lease.expiresAt <= now && units.minutes === 0) return "this lease's time ran out: the renewal must buy minutes";
  const used = lease.bytesUp + lease.bytesDown;
  if (used >= (lease.bytesAllowed ?? 0) && units.megabytes === 0) {
    return "this lease's data ran out: the renewal must buy megabytes";
  }
  return undefined;
}
