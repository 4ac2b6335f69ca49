// Keeps a data lease's allowance ahead of the traffic: it renews when what is left would not outlast the next
// payment at the current rate, so the node never cuts a tunnel that is paying its way.
import { ErrorCode } from "@wg402/shared";
import { type Backoff, backoffDelay, type Clock, systemClock, type TimerHandle } from "@wg402/shared/runtime";
import { isClientError } from "../errors.ts";
import { TypedEmitter } from "../runtime/typedEmitter.ts";
import type { AutoRenewerEvents, SpendGate } from "./autoRenewerTypes.ts";

/** What one data renewal bought. */
export type DataRenewal = { bytesAllowed: number; amount: bigint; txHash: string | null };

export type DataRenewerEvents = {
  dataRenewed: {
    leaseId: string;
    megabytes: number;
    amount: bigint;
    txHash: string | null;
    bytesAllowed: number;
    latencyMs: number;
    /** Bytes per second when the renewal started. */
    rate: number;
    renewals: number;
  };
  /** The next renewal would pass the spend cap: renewing has stopped and the allowance runs out. */
  capReached: AutoRenewerEvents["capReached"];
  renewalFailed: AutoRenewerEvents["renewalFailed"];
};

export type DataRenewerOptions = {
  leaseId: string;
  /** The allowance now, in bytes. */
  bytesAllowed: number;
  /** Megabytes bought per renewal, and their price. */
  megabytes: number;
  price: bigint;
  renew(megabytes: number): Promise<DataRenewal>;
  /** Bytes up + down the lease has used so far (this machine's counters, or the node's), null if unknown. */
  used(): Promise<number | null>;
  budget?: SpendGate;
  clock?: Clock;
  /** How often `used` is read. Default 250 ms. */
  pollMs?: number;
  /** Latency of the payment that bought the lease: the first sample. */
  initialLatencyMs?: number;
  /** The margin is this many times what the slowest recent payment's time would use at the current rate. Default 3. */
  safetyFactor?: number;
  /** The margin is never below this. Default 256 KB. */
  minMarginBytes?: number;
  backoff?: Partial<Backoff>;
};

const LATENCY_SAMPLES = 5;
// The lease is over (or will never take megabytes): retrying cannot help.
const OVER = new Set<string>([ErrorCode.lease_not_found, ErrorCode.lease_not_active, ErrorCode.plan_mismatch]);
/** Rates are smoothed over about this long, so one burst does not decide alone. */
const RATE_WINDOW_MS = 1_000;

/**
 * Renews a data lease by its bytes: when the allowance left falls below rate × the slowest recent payment
 * latency × the safety factor (plus one poll of traffic), it buys `megabytes` more. The spend cap stops it for
 * good; a failed renewal is retried with backoff while the allowance lasts. Time comes from an injected clock.
 */
export class DataRenewer extends TypedEmitter<DataRenewerEvents> {
  private readonly o: DataRenewerOptions;
  private readonly clock: Clock;
  private bytesAllowed: number;
  private timer: TimerHandle | null = null;
  private running = false;
  private renewing = false;
  private latencies: number[] = [];
  private last: { used: number; at: number } | null = null;
  private rateValue = 0;
  private attempt = 0;
  private retryAt = 0;
  private renewalCount = 0;

  constructor(options: DataRenewerOptions) {
    super();
    this.o = options;
    this.clock = options.clock ?? systemClock;
    this.bytesAllowed = options.bytesAllowed;
    if (options.initialLatencyMs !== undefined) this.latencies.push(options.initialLatencyMs);
  }

  get renewals(): number {
    return this.renewalCount;
  }

  /** Bytes per second, smoothed. */
  get rate(): number {
    return this.rateValue * 1000;
  }

  /** The allowance left below which a renewal starts, in bytes. */
  get marginBytes(): number {
    const slowest = Math.max(0, ...this.latencies);
    const pollMs = this.o.pollMs ?? 250;
    const margin = this.rateValue * (slowest * (this.o.safetyFactor ?? 3) + pollMs);
    return Math.ceil(Math.max(this.o.minMarginBytes ?? 262_144, margin));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The allowance grew elsewhere (another `wg402 renew`). */
  updateAllowance(bytesAllowed: number): void {
    this.bytesAllowed = Math.max(this.bytesAllowed, bytesAllowed);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const used = await this.o.used().catch(() => null);
    const now = this.clock.now();
    if (used !== null) {
      if (this.last && now > this.last.at) {
        const instant = Math.max(0, used - this.last.used) / (now - this.last.at);
        const weight = Math.min(1, (now - this.last.at) / RATE_WINDOW_MS);
        this.rateValue = this.rateValue * (1 - weight) + instant * weight;
      }
      this.last = { used, at: now };
      if (this.bytesAllowed - used < this.marginBytes && !this.renewing && now >= this.retryAt) {
        if (!(await this.renew())) return;
      }
    }
    this.schedule(this.o.pollMs ?? 250);
  }

  /** False when renewing has stopped for good. */
  private async renew(): Promise<boolean> {
    const { budget } = this.o;
    if (budget && !budget.fits(this.o.price)) {
      this.emit("capReached", {
        leaseId: this.o.leaseId,
        cap: budget.cap,
        committed: budget.committed,
        needed: this.o.price,
        expiresAt: this.clock.now(),
      });
      this.stop();
      return false;
    }
    this.renewing = true;
    const started = this.clock.now();
    const rate = this.rate;
    try {
      const result = await this.o.renew(this.o.megabytes);
      const latencyMs = this.clock.now() - started;
      this.latencies = [...this.latencies, latencyMs].slice(-LATENCY_SAMPLES);
      this.bytesAllowed = Math.max(this.bytesAllowed, result.bytesAllowed);
      this.attempt = 0;
      this.renewalCount++;
      this.emit("dataRenewed", {
        leaseId: this.o.leaseId,
        megabytes: this.o.megabytes,
        amount: result.amount,
        txHash: result.txHash,
        bytesAllowed: this.bytesAllowed,
        latencyMs,
        rate,
        renewals: this.renewalCount,
      });
    } catch (error) {
      this.attempt++;
      if (isClientError(error) && OVER.has(error.code)) {
        this.stop();
        return false;
      }
      const retryInMs = backoffDelay(this.attempt, { initialMs: 500, factor: 2, maxMs: 10_000, ...this.o.backoff });
      this.retryAt = this.clock.now() + retryInMs;
      this.emit("renewalFailed", {
        leaseId: this.o.leaseId,
        code: isClientError(error) ? error.code : "unknown",
        message: isClientError(error) ? error.shortMessage : String(error),
        attempt: this.attempt,
        retryInMs,
        expiresAt: this.clock.now(),
      });
    } finally {
      this.renewing = false;
    }
    return this.running;
  }
}
