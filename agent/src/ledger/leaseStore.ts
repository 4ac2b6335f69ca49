import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { type MeterState, meterTotals } from "../metering/readMeter.ts";
import { AddressPool } from "./addressPool.ts";
import { intToIp, ipToInt, type Subnet } from "./ipv4.ts";
import { migrations } from "./migrations.ts";

export type LeaseState = "pending" | "active" | "expired" | "closed";

export type LeaseRecord = {
  id: string;
  publicKey: string;
  payer: string | null;
  state: LeaseState;
  address: string;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  bytesUp: number;
  bytesDown: number;
  lastHandshakeAt: number | null;
  meter: MeterState;
};

export type PaymentRecord = {
  paymentKey: string;
  leaseId: string;
  kind: "create" | "renew";
  status: "pending" | "settled" | "failed";
  scheme: string;
  network: string;
  asset: string;
  payer: string;
  amount: string;
  minutes: number;
  txHash: string | null;
  failureReason: string | null;
  createdAt: number;
  settledAt: number | null;
};

export type NewPayment = Pick<
  PaymentRecord,
  "paymentKey" | "scheme" | "network" | "asset" | "payer" | "amount" | "minutes"
>;

export type Usage = { bytesUp: number; bytesDown: number; lastHandshakeAt: number | null };

/** A meter reading to store: the generation state, and the handshake time the device reported. */
export type MeterUpdate = { meter: MeterState; lastHandshakeAt: number | null };

/** Thrown inside a ledger transaction; the API maps each to its wire error. */
export class LedgerConflict extends Error {
  readonly reason: "lease_exists" | "capacity_exhausted" | "payment_replayed" | "lease_not_found" | "lease_not_active";
  readonly leaseId: string | undefined;
  constructor(reason: LedgerConflict["reason"], message: string, leaseId?: string) {
    super(message);
    this.reason = reason;
    this.leaseId = leaseId;
  }
}

const leaseFromRow = (r: Record<string, SQLInputValue>): LeaseRecord => ({
  id: r.id as string,
  publicKey: r.public_key as string,
  payer: (r.payer as string | null) ?? null,
  state: r.state as LeaseState,
  address: r.address as string,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  endedAt: r.ended_at === null ? null : Number(r.ended_at),
  bytesUp: Number(r.bytes_up),
  bytesDown: Number(r.bytes_down),
  lastHandshakeAt: r.last_handshake_at === null ? null : Number(r.last_handshake_at),
  meter: {
    carriedUp: Number(r.carried_up),
    carriedDown: Number(r.carried_down),
    seenUp: Number(r.seen_up),
    seenDown: Number(r.seen_down),
  },
});

const paymentFromRow = (r: Record<string, SQLInputValue>): PaymentRecord => ({
  paymentKey: r.payment_key as string,
  leaseId: r.lease_id as string,
  kind: r.kind as PaymentRecord["kind"],
  status: r.status as PaymentRecord["status"],
  scheme: r.scheme as string,
  network: r.network as string,
  asset: r.asset as string,
  payer: r.payer as string,
  amount: r.amount as string,
  minutes: Number(r.minutes),
  txHash: (r.tx_hash as string | null) ?? null,
  failureReason: (r.failure_reason as string | null) ?? null,
  createdAt: Number(r.created_at),
  settledAt: r.settled_at === null ? null : Number(r.settled_at),
});

export type LeaseStoreOptions = {
  path: string;
  subnet: Subnet;
  /** How long a released address rests before it is handed out again. */
  addressCooldownMs: number;
  /** A billed minute, in milliseconds (60,000 outside tests). */
  minuteMs: number;
};

/**
 * The agent's ledger and its source of truth: leases, the payments that bought them and the tunnel
 * addresses they hold. Every change is one SQLite transaction, written before WireGuard is touched.
 */
export class LeaseStore {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly pool: AddressPool;
  private readonly minuteMs: number;

  constructor(options: LeaseStoreOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.migrate();
    this.minuteMs = options.minuteMs;
    this.pool = new AddressPool(options.subnet, options.addressCooldownMs);
    for (const row of this.stmt("SELECT address, lease_id, released_at FROM allocations").all()) {
      const address = ipToInt(row.address as string);
      if (row.lease_id !== null) this.pool.markHeld(address);
      else if (row.released_at !== null) this.pool.markReleased(address, Number(row.released_at));
    }
  }

  private migrate(): void {
    const { user_version: version } = this.stmt("PRAGMA user_version").get() as { user_version: number };
    for (let i = version; i < migrations.length; i++) {
      this.transaction(() => {
        this.db.exec(migrations[i] as string);
        this.db.exec(`PRAGMA user_version = ${i + 1}`);
      });
    }
  }

  /** Prepared once, reused: the meter and expiry write thousands of rows per pass. */
  private stmt(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  capacity(now: number): { total: number; available: number } {
    return { total: this.pool.size, available: this.pool.available(now) };
  }

  getLease(id: string): LeaseRecord | undefined {
    const row = this.stmt("SELECT * FROM leases WHERE id = ?").get(id);
    return row ? leaseFromRow(row) : undefined;
  }

  /** The pending or active lease of a WireGuard key, if any. */
  liveLeaseForKey(publicKey: string): LeaseRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM leases WHERE public_key = ? AND state IN ('pending', 'active')")
      .get(publicKey);
    return row ? leaseFromRow(row) : undefined;
  }

  payments(leaseId: string): PaymentRecord[] {
    return this.db
      .prepare("SELECT * FROM payments WHERE lease_id = ? ORDER BY created_at, payment_key")
      .all(leaseId)
      .map(paymentFromRow);
  }

  getPayment(paymentKey: string): PaymentRecord | undefined {
    const row = this.stmt("SELECT * FROM payments WHERE payment_key = ?").get(paymentKey);
    return row ? paymentFromRow(row) : undefined;
  }

  /** Leases whose peers should exist now: active and not yet past their expiry. */
  activeLeases(now: number): LeaseRecord[] {
    return this.db
      .prepare("SELECT * FROM leases WHERE state = 'active' AND expires_at > ? ORDER BY expires_at")
      .all(now)
      .map(leaseFromRow);
  }

  /** Active leases whose time ran out (the expiry scheduler's work list). */
  dueForExpiry(now: number): LeaseRecord[] {
    return this.db
      .prepare("SELECT * FROM leases WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at")
      .all(now)
      .map(leaseFromRow);
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
  createPendingLease(input: {
    id: string;
    publicKey: string;
    minutes: number;
    payment: NewPayment;
    now: number;
  }): LeaseRecord {
    return this.transaction(() => {
      const live = this.liveLeaseForKey(input.publicKey);
      if (live) {
        throw new LedgerConflict("lease_exists", "this WireGuard key already has a lease on this node", live.id);
      }
      this.assertPaymentUnused(input.payment.paymentKey);
      const addressInt = this.pool.next(input.now);
      if (addressInt === undefined) {
        throw new LedgerConflict("capacity_exhausted", "this node has no free tunnel address left");
      }
      const address = intToIp(addressInt);
      const claimed = this.db
        .prepare(
          `INSERT INTO allocations (address, lease_id, released_at) VALUES (?, ?, NULL)
           ON CONFLICT (address) DO UPDATE SET lease_id = excluded.lease_id, released_at = NULL
           WHERE allocations.lease_id IS NULL`,
        )
        .run(address, input.id);
      if (Number(claimed.changes) !== 1) throw new Error(`address ${address} is held in the ledger but free in memory`);
      this.db
        .prepare(
          `INSERT INTO leases (id, public_key, state, address, created_at, expires_at)
           VALUES (?, ?, 'pending', ?, ?, ?)`,
        )
        .run(input.id, input.publicKey, address, input.now, input.now + input.minutes * this.minuteMs);
      this.insertPayment(input.id, "create", input.payment, input.now);
      this.pool.markHeld(addressInt);
      return this.getLease(input.id) as LeaseRecord;
    });
  }

  /** Records a verified renewal payment; the lease is extended only by {@link settlePayment}. */
  addPendingRenewal(input: { leaseId: string; payment: NewPayment; now: number; graceMs: number }): LeaseRecord {
    return this.transaction(() => {
      const lease = this.getLease(input.leaseId);
      if (!lease) throw new LedgerConflict("lease_not_found", "no such lease");
      if (!this.renewable(lease, input.now, input.graceMs)) {
        throw new LedgerConflict("lease_not_active", `a ${lease.state} lease cannot be renewed`, lease.id);
      }
      this.assertPaymentUnused(input.payment.paymentKey);
      this.insertPayment(lease.id, "renew", input.payment, input.now);
      return lease;
    });
  }

  /** Active, or expired less than `graceMs` ago with its address still held. */
  renewable(lease: LeaseRecord, now: number, graceMs: number): boolean {
    if (lease.state === "active") return true;
    return lease.state === "expired" && lease.endedAt === null && now - lease.expiresAt <= graceMs;
  }

  /**
   * Money arrived: the payment is settled and its lease becomes active (creation) or is extended
   * (renewal) — from its current expiry, or from when the renewal was asked for if it had already lapsed.
   * Idempotent: a second call for the same payment changes nothing.
   */
  settlePayment(paymentKey: string, settlement: { txHash: string | null; payer: string; now: number }) {
    return this.transaction(() => {
      const payment = this.getPayment(paymentKey);
      if (payment?.status !== "pending") return undefined;
      const lease = this.getLease(payment.leaseId);
      if (!lease) return undefined;
      this.db
        .prepare("UPDATE payments SET status = 'settled', tx_hash = ?, payer = ?, settled_at = ? WHERE payment_key = ?")
        .run(settlement.txHash, settlement.payer, settlement.now, paymentKey);
      const extension = payment.minutes * this.minuteMs;
      if (payment.kind === "create") {
        this.db
          .prepare("UPDATE leases SET state = 'active', payer = ?, expires_at = ? WHERE id = ? AND state = 'pending'")
          .run(settlement.payer, lease.createdAt + extension, lease.id);
      } else {
        const base = Math.max(lease.expiresAt, payment.createdAt);
        this.db
          .prepare("UPDATE leases SET state = 'active', expires_at = ? WHERE id = ? AND state IN ('active', 'expired')")
          .run(base + extension, lease.id);
      }
      return { payment: this.getPayment(paymentKey) as PaymentRecord, lease: this.getLease(lease.id) as LeaseRecord };
    });
  }

  /** Settlement failed or was abandoned: a pending lease disappears and its address is free at once. */
  failPayment(paymentKey: string, reason: string, now: number): PaymentRecord | undefined {
    return this.transaction(() => {
      const payment = this.getPayment(paymentKey);
      if (payment?.status !== "pending") return undefined;
      this.db
        .prepare("UPDATE payments SET status = 'failed', failure_reason = ?, settled_at = ? WHERE payment_key = ?")
        .run(reason, now, paymentKey);
      const lease = this.getLease(payment.leaseId);
      if (payment.kind === "create" && lease?.state === "pending") {
        this.stmt("DELETE FROM allocations WHERE lease_id = ?").run(lease.id);
        this.stmt("DELETE FROM leases WHERE id = ?").run(lease.id);
        this.pool.markUnused(ipToInt(lease.address));
      }
      return this.getPayment(paymentKey);
    });
  }

  /** Pending payments older than the payment timeout: their client gave up, or the agent crashed mid-way. */
  stalePendingPayments(olderThan: number): PaymentRecord[] {
    return this.db
      .prepare("SELECT * FROM payments WHERE status = 'pending' AND created_at < ? ORDER BY created_at")
      .all(olderThan)
      .map(paymentFromRow);
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

  /** Expired leases past the grace window give their address back (after its cooldown). */
  releaseLapsed(now: number, graceMs: number): LeaseRecord[] {
    return this.transaction(() => {
      const lapsed = this.db
        .prepare("SELECT * FROM leases WHERE state = 'expired' AND ended_at IS NULL AND expires_at + ? <= ?")
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
      if (!lease) throw new LedgerConflict("lease_not_found", "no such lease");
      if (lease.state === "closed" || lease.state === "pending") {
        throw new LedgerConflict("lease_not_active", `a ${lease.state} lease cannot be closed`, id);
      }
      if (final) this.writeMeter(id, final);
      this.stmt("UPDATE leases SET state = 'closed' WHERE id = ?").run(id);
      this.end({ ...lease, state: "closed" }, now);
      return this.getLease(id) as LeaseRecord;
    });
  }

  /** Stores a meter reading; totals are derived from it so they can never disagree. */
  writeMeter(id: string, update: MeterUpdate): void {
    const totals = meterTotals(update.meter);
    this.db
      .prepare(
        `UPDATE leases SET carried_up = ?, carried_down = ?, seen_up = ?, seen_down = ?, bytes_up = ?, bytes_down = ?,
           last_handshake_at = COALESCE(?, last_handshake_at) WHERE id = ?`,
      )
      .run(
        update.meter.carriedUp,
        update.meter.carriedDown,
        update.meter.seenUp,
        update.meter.seenDown,
        totals.bytesUp,
        totals.bytesDown,
        update.lastHandshakeAt,
        id,
      );
  }

  /** Writes many meter readings in one transaction (the meter's poll). */
  writeMeters(updates: { id: string; update: MeterUpdate }[]): void {
    if (updates.length === 0) return;
    this.transaction(() => {
      for (const { id, update } of updates) this.writeMeter(id, update);
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private end(lease: LeaseRecord, now: number): void {
    this.stmt("UPDATE leases SET ended_at = ? WHERE id = ?").run(now, lease.id);
    this.stmt("UPDATE allocations SET lease_id = NULL, released_at = ? WHERE lease_id = ?").run(now, lease.id);
    this.pool.markReleased(ipToInt(lease.address), now);
  }

  private assertPaymentUnused(paymentKey: string): void {
    if (this.getPayment(paymentKey)) {
      throw new LedgerConflict("payment_replayed", "this payment was already used");
    }
  }

  private insertPayment(leaseId: string, kind: "create" | "renew", payment: NewPayment, now: number): void {
    this.db
      .prepare(
        `INSERT INTO payments (payment_key, lease_id, kind, status, scheme, network, asset, payer, amount, minutes, created_at)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        payment.paymentKey,
        leaseId,
        kind,
        payment.scheme,
        payment.network,
        payment.asset,
        payment.payer,
        payment.amount,
        payment.minutes,
        now,
      );
  }
}
