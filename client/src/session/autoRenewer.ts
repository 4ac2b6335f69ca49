import { ErrorCode } from "@wg402/shared";
import { type Backoff, backoffDelay, type Clock, systemClock, type TimerHandle } from "@wg402/shared/runtime";
import { isClientError } from "../errors.ts";
import { TypedEmitter } from "../runtime/typedEmitter.ts";
import type {
  AutoRenewerEvents,
  AutoRenewerOptions,
  ExpiryCause,
  RenewalResult,
  SpendGate,
} from "./autoRenewerTypes.ts";

export type * from "./autoRenewerTypes.ts";

type Phase = "idle" | "scheduled" | "renewing" | "held" | "draining" | "done";

const LATENCY_SAMPLES = 5;
const MIN_RETRY_MS = 250;
// These say the lease or this session is over: retrying cannot help.
const LEASE_GONE = new Set<string>([
  ErrorCode.lease_not_found,
  ErrorCode.lease_not_active,
  ErrorCode.forbidden,
  ErrorCode.invalid_minutes,
]);

/**
 * Keeps a lease alive by renewing it when the time left falls below a margin that covers the measured
 * payment latency times a safety factor, so the tunnel never sees a gap. A failed renewal is retried with
 * exponential backoff until the lease actually expires; the spend cap or the balance stops it for good,
 * and it says so. Time comes from an injected clock.
 */
export class AutoRenewer extends TypedEmitter<AutoRenewerEvents> {
  readonly leaseId: string;
  private expiresAtValue: number;
  private readonly o: Required<Omit<AutoRenewerOptions, "budget" | "initialLatencyMs" | "backoff">> & {
    budget?: SpendGate;
    backoff: Backoff;
  };
  private readonly clock: Clock;
  private phase: Phase = "idle";
  private timer: TimerHandle | null = null;
  private latencies: number[] = [];
  private attempt = 0;
  private renewalCount = 0;
  private drainCause: ExpiryCause = "renewal_failed";
  private held = false;
  private nextAt: number | null = null;

  constructor(options: AutoRenewerOptions) {
    super();
    this.leaseId = options.leaseId;
    this.expiresAtValue = options.expiresAt;
    this.clock = options.clock ?? systemClock;
    this.o = {
      leaseId: options.leaseId,
      expiresAt: options.expiresAt,
      minutes: options.minutes,
      price: options.price,
      minuteMs: options.minuteMs,
      target: options.target,
      budget: options.budget,
      clock: this.clock,
      safetyFactor: options.safetyFactor ?? 3,
      minMarginMs: options.minMarginMs ?? 10_000,
      maxMarginFraction: options.maxMarginFraction ?? 0.5,
      lowBalanceRenewals: options.lowBalanceRenewals ?? 3,
      renewAheadMs: options.renewAheadMs ?? 0,
      backoff: {
        initialMs: options.backoff?.initialMs ?? 1_000,
        maxMs: options.backoff?.maxMs ?? 30_000,
        factor: options.backoff?.factor ?? 2,
      },
    };
    if (options.initialLatencyMs !== undefined) this.latencies.push(options.initialLatencyMs);
  }

  get expiresAt(): number {
    return this.expiresAtValue;
  }

  get renewals(): number {
    return this.renewalCount;
  }

  /** When the next renewal is due, or null while none is scheduled (held, draining, done). */
  get nextRenewalAt(): number | null {
    return this.phase === "scheduled" ? this.nextAt : null;
  }

  /** Renewing is held (the tunnel stalled). */
  get holding(): boolean {
    return this.held;
  }

  /** True until the lease has expired or `stop()` was called. */
  get running(): boolean {
    return this.phase !== "done" && this.phase !== "idle";
  }

  /** How long before expiry a renewal starts: the slowest recent payment × the safety factor, with a floor. */
  get marginMs(): number {
    const slowest = Math.max(0, ...this.latencies);
    const renewalMs = this.o.minutes * this.o.minuteMs;
    const floor = Math.min(this.o.minMarginMs, renewalMs * this.o.maxMarginFraction);
    return Math.ceil(Math.max(floor, slowest * this.o.safetyFactor));
  }

  start(): void {
    if (this.phase !== "idle") return;
    this.schedule();
  }

  /** Stops for good; a renewal already in flight finishes, but nothing new starts. */
  stop(): void {
    this.clearTimer();
    this.phase = "done";
  }

  /** The lease was extended elsewhere (another `wg402 renew`): move the schedule, never backwards. */
  updateExpiry(expiresAt: number): void {
    if (expiresAt <= this.expiresAtValue || this.phase === "done") return;
    this.expiresAtValue = expiresAt;
    if (this.phase === "scheduled") this.schedule();
    else if (this.phase === "held") this.enterHeld();
    else if (this.phase === "draining") this.drain(this.drainCause);
  }

  /**
   * Pays nothing more until `resume()`: the lease runs out at its expiry unless the tunnel recovers first
   * (then `expired` says `stalled`). A renewal already in flight finishes.
   */
  hold(): void {
    if (this.phase === "done" || this.phase === "draining" || this.phase === "idle") return;
    this.held = true;
    if (this.phase === "scheduled") this.enterHeld();
  }

  /** Renewing again, while the lease is alive; a renewal that fell due meanwhile runs at once. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    if (this.phase === "held") this.schedule();
  }

  private enterHeld(): void {
    this.clearTimer();
    this.phase = "held";
    this.timer = this.clock.setTimeout(() => this.finish("stalled"), this.expiresAtValue - this.clock.now());
  }

  private schedule(): void {
    this.clearTimer();
    if (this.held) {
      this.enterHeld();
      return;
    }
    this.phase = "scheduled";
    const margin = this.marginMs;
    // Never later than the margin; never more than half a renewal ahead either (granted time piles up).
    const ahead = Math.min(this.o.renewAheadMs, (this.o.minutes * this.o.minuteMs) / 2);
    const at = this.expiresAtValue - Math.max(margin, ahead);
    this.nextAt = at;
    this.timer = this.clock.setTimeout(() => void this.tick(), at - this.clock.now());
    this.emit("scheduled", { leaseId: this.leaseId, at, expiresAt: this.expiresAtValue, marginMs: margin });
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.phase !== "scheduled") return;
    if (this.held) {
      this.enterHeld();
      return;
    }
    if (this.clock.now() >= this.expiresAtValue) {
      this.finish("renewal_failed");
      return;
    }
    const budget = this.o.budget;
    if (budget && !budget.fits(this.o.price)) {
      this.reachedCap(budget);
      return;
    }
    this.phase = "renewing";
    if (this.o.target.ready) {
      // A check that cannot say is not a yes: money waits for evidence.
      const ready = await this.o.target.ready().catch(() => false);
      if (this.phase !== "renewing") return;
      if (!ready) {
        this.held = true;
        this.enterHeld();
        return;
      }
    }
    const started = this.clock.now();
    // Compared with the answer below; a status poll may move `expiresAtValue` meanwhile.
    const expiryBefore = this.expiresAtValue;
    let result: RenewalResult;
    try {
      result = await this.o.target.renew(this.o.minutes);
    } catch (error) {
      if (this.phase === "renewing") this.failed(error);
      return;
    }
    const latencyMs = this.clock.now() - started;
    this.latencies = [...this.latencies, latencyMs].slice(-LATENCY_SAMPLES);
    this.renewalCount++;
    const extended = result.expiresAt > expiryBefore;
    this.expiresAtValue = Math.max(this.expiresAtValue, result.expiresAt);
    this.emit("renewed", {
      leaseId: this.leaseId,
      minutes: this.o.minutes,
      amount: result.amount,
      txHash: result.txHash,
      expiresAt: this.expiresAtValue,
      latencyMs,
      renewals: this.renewalCount,
    });
    if (this.phase !== "renewing") return;
    if (!extended) {
      // Paying again would only pay again: a node that takes money without extending gets no more.
      this.attempt++;
      const message = "the node took the payment but did not extend the lease";
      this.emit("renewalFailed", this.failure(ErrorCode.lease_not_extended, message, null));
      this.drain("renewal_failed");
      return;
    }
    this.attempt = 0;
    this.schedule();
    await this.checkBalance();
  }

  private async checkBalance(): Promise<void> {
    if (!this.o.target.balance || this.o.price <= 0n) return;
    let balance: bigint;
    try {
      balance = await this.o.target.balance();
    } catch {
      // A balance read is only a warning; the next renewal's own check is what counts.
      return;
    }
    const renewalsLeft = Number(balance / this.o.price);
    if (renewalsLeft < this.o.lowBalanceRenewals) {
      this.emit("lowBalance", { leaseId: this.leaseId, balance, price: this.o.price, renewalsLeft });
    }
  }

  private failed(error: unknown): void {
    const code = isClientError(error) ? error.code : "renewal_failed";
    const message = isClientError(error) ? error.shortMessage : error instanceof Error ? error.message : String(error);
    if (code === ErrorCode.spend_cap_exceeded) {
      this.reachedCap(this.o.budget);
      return;
    }
    if (code === ErrorCode.insufficient_balance) {
      const details = isClientError(error) ? (error.details as { balance?: string } | undefined) : undefined;
      this.emit("lowBalance", {
        leaseId: this.leaseId,
        balance: BigInt(details?.balance ?? 0),
        price: this.o.price,
        renewalsLeft: 0,
      });
      this.drain("insufficient_balance");
      return;
    }
    this.attempt++;
    // The payer started a withdrawal from this channel: the node sells no more time on it, so the lease runs
    // out the time already paid for.
    if (code === ErrorCode.channel_closing) {
      this.emit("renewalFailed", this.failure(code, message, null));
      this.drain("renewal_failed");
      return;
    }
    if (LEASE_GONE.has(code)) {
      this.emit("renewalFailed", this.failure(code, message, null));
      this.finish("lease_gone");
      return;
    }
    const left = this.expiresAtValue - this.clock.now();
    const backoff = Math.min(backoffDelay(this.attempt, this.o.backoff), left / 2);
    if (backoff < MIN_RETRY_MS) {
      this.emit("renewalFailed", this.failure(code, message, null));
      this.drain("renewal_failed");
      return;
    }
    const retryInMs = Math.round(backoff);
    this.emit("renewalFailed", this.failure(code, message, retryInMs));
    this.phase = "scheduled";
    this.timer = this.clock.setTimeout(() => void this.tick(), retryInMs);
  }

  private failure(code: string, message: string, retryInMs: number | null): AutoRenewerEvents["renewalFailed"] {
    return { leaseId: this.leaseId, code, message, attempt: this.attempt, retryInMs, expiresAt: this.expiresAtValue };
  }

  private reachedCap(budget: SpendGate | undefined): void {
    this.emit("capReached", {
      leaseId: this.leaseId,
      cap: budget?.cap ?? null,
      committed: budget?.committed ?? 0n,
      needed: this.o.price,
      expiresAt: this.expiresAtValue,
    });
    this.drain("spend_cap");
  }

  /** No more renewals: wait for the lease to run out, then say why it ended. */
  private drain(cause: ExpiryCause): void {
    this.clearTimer();
    this.phase = "draining";
    this.drainCause = cause;
    this.timer = this.clock.setTimeout(() => this.finish(cause), this.expiresAtValue - this.clock.now());
  }

  private finish(cause: ExpiryCause): void {
    this.clearTimer();
    if (this.phase === "done") return;
    this.phase = "done";
    this.emit("expired", { leaseId: this.leaseId, expiresAt: this.expiresAtValue, cause });
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
