import type { Clock, TimerHandle } from "@wg402/shared/runtime";

/** Long timers drift; waking at least this often re-checks the ledger against the clock. */
export const MAX_SLEEP_MS = 30_000;
/** After a failed expiry (device unreachable, say), the leases it held are tried again this much later. */
export const EXPIRY_RETRY_MS = 1_000;

export type ExpirySchedulerParameters = {
  clock: Clock;
  /** The earliest deadline of an active lease, read from the ledger's (state, expires_at) index. */
  nextDeadline: () => number | undefined;
  /** Expires whatever the ledger says is due now. */
  onDue: () => Promise<void>;
  onError: (error: unknown) => void;
};

/**
 * One timer for all leases, armed for the ledger's earliest deadline. The ledger is the only list of
 * deadlines: nothing is kept beside it that could disagree with it, a renewal only moves a row, and after
 * every expiry batch the timer is armed again from the index.
 */
export class ExpiryScheduler {
  /**
   * The most leases one expiry batch takes (earliest deadlines first). A batch costs one full device read
   * plus a little per lease, so a cap well above a busy node's per-batch count only bites on a backlog
   * (start-up after downtime, a stall): there it bounds the synchronous ledger work per batch (~25 µs a
   * lease) and lets the earliest deadlines go first instead of behind thousands of later ones.
   */
  static readonly batchMax = 2_000;
  private readonly p: ExpirySchedulerParameters;
  private timer: TimerHandle | undefined;
  private armedFor: number | undefined;
  private running = false;
  private firing = false;
  private scheduled = 0;

  constructor(parameters: ExpirySchedulerParameters) {
    this.p = parameters;
  }

  /**
   * Goes up whenever {@link schedule} is told of a deadline (a lease activated or renewed). An expiry batch
   * compares it before and after its device work to learn, for free, whether a renewal may have landed.
   */
  get revision(): number {
    return this.scheduled;
  }

  /** A lease now ends at `at` (the ledger already says so): wake earlier if that is the new earliest. */
  schedule(at: number): void {
    this.scheduled++;
    if (!this.running || this.firing) return; // a batch running now re-arms from the ledger when it ends
    if (this.armedFor !== undefined && this.armedFor <= at) return;
    this.armAt(at);
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.p.nextDeadline();
    if (next === undefined) {
      this.disarm();
      return;
    }
    this.armAt(next);
  }

  private armAt(at: number): void {
    this.disarm();
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, at - this.p.clock.now()));
    // A sleep cut short by MAX_SLEEP_MS is not "armed for" the deadline: a nearer one must still re-arm.
    this.armedFor = delay === MAX_SLEEP_MS ? undefined : at;
    this.timer = this.p.clock.setTimeout(() => void this.fire(), delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.p.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.armedFor = undefined;
    this.firing = true;
    let failed = false;
    try {
      const next = this.p.nextDeadline();
      if (next !== undefined && next <= this.p.clock.now()) await this.p.onDue();
    } catch (error) {
      failed = true;
      this.p.onError(error);
    } finally {
      this.firing = false;
      if (failed && this.running) this.armAt(this.p.clock.now() + EXPIRY_RETRY_MS);
      else this.arm();
    }
  }
}
