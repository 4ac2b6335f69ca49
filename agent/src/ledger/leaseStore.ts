import { BaseError, ErrorCode } from "@wg402/shared";
import { type Ledger, openLedger } from "@wg402/shared/node";
import { AddressPool } from "./addressPool.ts";
import { type ChannelGrant, ChannelLeaseRows } from "./channelLeaseRows.ts";
import { intToIp, ipToInt, type Subnet } from "./ipv4.ts";
import { applyGrant, extendLease, type GrantTerms } from "./leaseGrant.ts";
import { takeUnsentToken, tokenMatches } from "./leaseTokens.ts";
import { activeDataLeases, exhaustLeases, writeMeter } from "./meterRows.ts";
import { migrations } from "./migrations.ts";
import * as paymentRows from "./paymentRows.ts";
import {
  type LeaseRecord,
  type LeaseState,
  leaseFromRow,
  type MeterUpdate,
  type NewPayment,
  type PaymentRecord,
} from "./records.ts";

export type { ChannelGrant } from "./channelLeaseRows.ts";
export * from "./records.ts";

export type LeaseStoreOptions = {
  path: string;
  subnet: Subnet;
  /** How long a released address rests before it is handed out again. */
  addressCooldownMs: number;
  /** A billed minute, in milliseconds (60,000 outside tests). */
  minuteMs: number;
  /** How long a data-only lease stays valid after each purchase (default: a day). */
  dataValidityMs?: number;
};

// A lease with a payment still open (pending or unknown) must keep its address: the money may have moved.

/**
 * The agent's ledger and its source of truth: leases, the payments that bought them and the tunnel
 * addresses they hold. Every change is one SQLite transaction, written before WireGuard is touched.
 */
export class LeaseStore {
  private readonly ledger: Ledger;
  private readonly pool: AddressPool;
  private readonly terms: GrantTerms;

  constructor(options: LeaseStoreOptions) {
    this.ledger = openLedger({ path: options.path, migrations });
    this.terms = { minuteMs: options.minuteMs, dataValidityMs: options.dataValidityMs ?? 86_400_000 };
    this.pool = AddressPool.fromLedger(this.ledger, options.subnet, options.addressCooldownMs);
  }

  /** The ledger itself, shared with the channel storage so a charge and the time it buys commit together. */
  get sharedLedger(): Ledger {
    return this.ledger;
  }

  private stmt(sql: string) {
    return this.ledger.stmt(sql);
  }

  private transaction<T>(work: () => T): T {
    return this.ledger.transaction(work);
  }

  capacity(now: number): { total: number; available: number } {
    return { total: this.pool.size, available: this.pool.available(now) };
  }

  getLease(id: string): LeaseRecord | undefined {
    const row = this.stmt("SELECT * FROM leases WHERE id = ?").get(id);
    return row ? leaseFromRow(row) : undefined;
  }

  /**
   * The lease that stands in the way of a new one for this key: pending or active, or expired with a
   * renewal still settling (which may yet revive it).
   */
  liveLeaseForKey(publicKey: string): LeaseRecord | undefined {
    const row = this.stmt(
      `SELECT * FROM leases WHERE public_key = ? AND (state IN ('pending', 'active') OR (state = 'expired'
         AND ended_at IS NULL AND EXISTS (SELECT 1 FROM payments WHERE lease_id = leases.id AND ${paymentRows.OPEN})))
       ORDER BY created_at DESC LIMIT 1`,
    ).get(publicKey);
    return row ? leaseFromRow(row) : undefined;
  }

  payments(leaseId: string): PaymentRecord[] {
    return paymentRows.paymentsOf(this.ledger, leaseId);
  }

  getPayment(paymentKey: string): PaymentRecord | undefined {
    return paymentRows.paymentByKey(this.ledger, paymentKey);
  }

  /** Leases whose peers should exist now: active and not yet past their expiry. */
  activeLeases(now: number): LeaseRecord[] {
    return this.stmt("SELECT * FROM leases WHERE state = 'active' AND expires_at > ? ORDER BY expires_at")
      .all(now)
      .map(leaseFromRow);
  }

  /** Active leases whose time ran out (the expiry scheduler's work list). */
  dueForExpiry(now: number): LeaseRecord[] {
    return this.stmt("SELECT * FROM leases WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at")
      .all(now)
      .map(leaseFromRow);
  }

  /** The earliest deadline of an active lease, off the (state, expires_at) index. */
  nextExpiry(): number | undefined {
    const row = this.stmt("SELECT MIN(expires_at) AS at FROM leases WHERE state = 'active'").get();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  countByState(): Record<LeaseState, number> {
    const counts: Record<LeaseState, number> = { pending: 0, active: 0, expired: 0, closed: 0 };
    for (const row of this.stmt("SELECT state, COUNT(*) AS n FROM leases GROUP BY state").all()) {
      counts[row.state as LeaseState] = Number(row.n);
    }
    return counts;
  }

  /**
   * Reserves a lease for a verified but not yet settled payment: the lease is pending, its address is held,
   * and nothing reaches WireGuard until {@link settlePayment}.
   */
  createPendingLease(input: { id: string; publicKey: string; payment: NewPayment; now: number }): LeaseRecord {
    return this.transaction(() => {
      if (this.liveLeaseForKey(input.publicKey)) {
        throw new BaseError("this WireGuard key already has a lease on this node", { code: ErrorCode.lease_exists });
      }
      paymentRows.claimPaymentKey(this.ledger, input.payment.identity.key);
      const addressInt = this.pool.next(input.now);
      if (addressInt === undefined) {
        throw new BaseError("this node has no free tunnel address left; try another node", {
          code: ErrorCode.capacity_exhausted,
        });
      }
      const address = intToIp(addressInt);
      const claimed = this.stmt(
        `INSERT INTO allocations (address, lease_id, released_at) VALUES (?, ?, NULL)
         ON CONFLICT (address) DO UPDATE SET lease_id = excluded.lease_id, released_at = NULL
         WHERE allocations.lease_id IS NULL`,
      ).run(address, input.id);
      if (Number(claimed.changes) !== 1) throw new Error(`address ${address} is held in the ledger but free in memory`);
      const bounds = extendLease(this.terms, undefined, input.payment, input.now);
      this.stmt(
        `INSERT INTO leases (id, public_key, state, address, created_at, expires_at, plan, bytes_allowed)
         VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)`,
      ).run(input.id, input.publicKey, address, input.now, bounds.expiresAt, bounds.plan, bounds.bytesAllowed);
      paymentRows.insertPayment(this.ledger, input.id, "create", input.payment, input.now);
      this.pool.markHeld(addressInt);
      return this.getLease(input.id) as LeaseRecord;
    });
  }

  /** Records a verified renewal payment; the lease is extended only by {@link settlePayment}. */
  addPendingRenewal(input: { leaseId: string; payment: NewPayment; now: number; graceMs: number }): LeaseRecord {
    return this.transaction(() => {
      const lease = this.getLease(input.leaseId);
      if (!lease) throw new BaseError("no such lease on this node", { code: ErrorCode.lease_not_found });
      if (!this.renewable(lease, input.now, input.graceMs)) {
        throw new BaseError(`a ${lease.state} lease cannot be renewed; buy a new one`, {
          code: ErrorCode.lease_not_active,
        });
      }
      paymentRows.claimPaymentKey(this.ledger, input.payment.identity.key);
      paymentRows.insertPayment(this.ledger, lease.id, "renew", input.payment, input.now);
      return lease;
    });
  }

  /** Active, or expired less than `graceMs` ago (or with a renewal still settling) with its address held. */
  renewable(lease: LeaseRecord, now: number, graceMs: number): boolean {
    if (lease.state === "active") return true;
    if (lease.state !== "expired" || lease.endedAt !== null) return false;
    return now - lease.expiresAt <= graceMs || this.hasOpenPayment(lease.id);
  }

  hasOpenPayment(leaseId: string): boolean {
    return paymentRows.hasOpenPayment(this.ledger, leaseId);
  }

  /**
   * Money arrived: the payment is settled and its lease becomes active or is extended (leaseGrant.ts). Idempotent: a second
   * call for the same payment changes nothing and returns undefined.
   */
  settlePayment(
    paymentKey: string,
    settlement: { txHash: string | null; payer: string; now: number; grant?: ChannelGrant },
  ) {
    return this.transaction(() => {
      const payment = this.getPayment(paymentKey);
      if (payment?.status !== "pending" && payment?.status !== "unknown") return undefined;
      const lease = this.getLease(payment.leaseId);
      if (!lease) return undefined;
      this.stmt(
        "UPDATE payments SET status = 'settled', tx_hash = ?, payer = ?, settled_at = ?, failure_reason = NULL WHERE payment_key = ?",
      ).run(settlement.txHash, settlement.payer, settlement.now, paymentKey);
      const { grant } = settlement;
      applyGrant(this.ledger, this.terms, { lease, payment, payer: settlement.payer, now: settlement.now, grant });
      if (grant) this.channelLeases.recordGrant(paymentKey, lease.id, grant);
      return { payment: this.getPayment(paymentKey) as PaymentRecord, lease: this.getLease(lease.id) as LeaseRecord };
    });
  }

  /** The channel side of the lease rows (channelLeaseRows.ts), on this ledger. */
  get channelLeases(): ChannelLeaseRows {
    return new ChannelLeaseRows(this.ledger);
  }

  /** Known not to have moved money: a pending lease disappears and its address is free at once. */
  failPayment(paymentKey: string, reason: string, now: number): PaymentRecord | undefined {
    return this.transaction(() => {
      const payment = this.getPayment(paymentKey);
      if (payment?.status !== "pending" && payment?.status !== "unknown") return undefined;
      this.stmt("UPDATE payments SET status = 'failed', failure_reason = ?, settled_at = ? WHERE payment_key = ?").run(
        reason,
        now,
        paymentKey,
      );
      const lease = this.getLease(payment.leaseId);
      if (payment.kind === "create" && lease?.state === "pending") {
        this.stmt("DELETE FROM allocations WHERE lease_id = ?").run(lease.id);
        this.stmt("DELETE FROM leases WHERE id = ?").run(lease.id);
        this.pool.markUnused(ipToInt(lease.address));
      }
      return this.getPayment(paymentKey);
    });
  }

  /** Settlement ended without saying whether money moved: keep everything reserved until the chain tells. */
  markUnknown(paymentKey: string, reason: string): PaymentRecord | undefined {
    paymentRows.markPaymentUnknown(this.ledger, paymentKey, reason);
    return this.getPayment(paymentKey);
  }

  /** Frees a settled payment's key for a new purchase; the row stays, under its lease's name. */
  retirePaymentKey(paymentKey: string): void {
    paymentRows.retirePaymentKey(this.ledger, paymentKey);
  }

  /** Keeps the paid answer for duplicates of this payment. */
  recordAnswer(paymentKey: string, answer: string): void {
    this.stmt("UPDATE payments SET answer = ? WHERE payment_key = ?").run(answer, paymentKey);
  }

  /** Payments whose outcome is still open, oldest first. */
  openPayments(): PaymentRecord[] {
    return paymentRows.openPaymentRows(this.ledger);
  }

  /** These leases used their data allowance: they run out now (meterRows.ts). Returns those still running. */
  exhaust(ids: string[], now: number): string[] {
    return this.transaction(() => exhaustLeases(this.ledger, ids, now));
  }

  /** Active leases with a data allowance, for the data meter. */
  dataLeases(now: number): LeaseRecord[] {
    return activeDataLeases(this.ledger, now);
  }

  /** The lease's time ran out: its peer is gone, its address stays held through the grace window. */
  markExpired(id: string, final: MeterUpdate | undefined): void {
    this.transaction(() => {
      this.stmt("UPDATE leases SET state = 'expired' WHERE id = ? AND state = 'active'").run(id);
      if (final) this.writeMeter(id, final);
    });
  }

  /** {@link markExpired} for many leases in one transaction. */
  markExpiredMany(leases: { id: string; final: MeterUpdate }[]): void {
    this.transaction(() => {
      const expire = this.stmt("UPDATE leases SET state = 'expired' WHERE id = ? AND state = 'active'");
      for (const { id, final } of leases) {
        expire.run(id);
        this.writeMeter(id, final);
      }
    });
  }

  /** Expired leases past the grace window, with no payment still open, give their address back. */
  releaseLapsed(now: number, graceMs: number): LeaseRecord[] {
    return this.transaction(() => {
      const lapsed = this.stmt(
        `SELECT * FROM leases WHERE state = 'expired' AND ended_at IS NULL AND expires_at + ? <= ?
           AND NOT EXISTS (SELECT 1 FROM payments WHERE lease_id = leases.id AND ${paymentRows.OPEN})`,
      )
        .all(graceMs, now)
        .map(leaseFromRow);
      for (const lease of lapsed) this.end(lease, now);
      return lapsed;
    });
  }

  /** Closed early by its payer. Returns the lease as closed. */
  closeLease(id: string, now: number, final: MeterUpdate | undefined): LeaseRecord {
    return this.transaction(() => {
      const lease = this.getLease(id);
      if (!lease || lease.state === "pending") {
        throw new BaseError("no such lease on this node", { code: ErrorCode.lease_not_found });
      }
      if (lease.state === "closed") {
        throw new BaseError("this lease is already closed", { code: ErrorCode.lease_not_active });
      }
      if (this.hasOpenPayment(id)) {
        throw new BaseError("a payment for this lease is still settling; close it once it has", {
          code: ErrorCode.settlement_unknown,
        });
      }
      if (final) this.writeMeter(id, final);
      this.stmt("UPDATE leases SET state = 'closed' WHERE id = ?").run(id);
      this.end({ ...lease, state: "closed" }, now);
      return this.getLease(id) as LeaseRecord;
    });
  }

  /** Writes many meter readings in one transaction (the meter's poll). */
  writeMeters(updates: { id: string; update: MeterUpdate }[]): void {
    if (updates.length === 0) return;
    this.transaction(() => {
      for (const { id, update } of updates) this.writeMeter(id, update);
    });
  }

  takeUnsentToken(leaseId: string): string | undefined {
    return takeUnsentToken(this.ledger, leaseId);
  }

  tokenMatches(leaseId: string, token: string): boolean {
    return tokenMatches(this.ledger, leaseId, token);
  }

  writeMeter(id: string, update: MeterUpdate): void {
    writeMeter(this.ledger, id, update);
  }

  close(): void {
    this.ledger.close();
  }

  private end(lease: LeaseRecord, now: number): void {
    this.stmt("UPDATE leases SET ended_at = ? WHERE id = ?").run(now, lease.id);
    this.stmt("UPDATE allocations SET lease_id = NULL, released_at = ? WHERE lease_id = ?").run(now, lease.id);
    this.pool.markReleased(ipToInt(lease.address), now);
  }
}
