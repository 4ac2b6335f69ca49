/** What the watch is told about a data lease at each reading. */
export type DataSample = { id: string; used: number; allowed: number; at: number };

export type DataWatchPolicy = {
  /** The regular poll: a lease far from its allowance waits for it. */
  intervalMs: number;
  /** The fastest a lease moving traffic is read (each read is one full device read, shared by all leases). */
  minMs: number;
  /**
   * The fastest a lease is read on the top-rate bound alone (an idle lease that might start at top speed at
   * any moment), at least: the read budget below may make it longer.
   */
  idleMinMs: number;
  /** The highest rate a tunnel is assumed able to reach, in bytes per ms (the node's uplink). */
  topRate: number;
};

/** Below this a read is aimed at the projected moment itself: one more device read, not a later one. */
const AIM_FLOOR_MS = 5;
/**
 * Checks on the top-rate bound alone are at least this many checks' durations apart (a device read, the ledger
 * and the fold), so they take at most 1/20 of a core: every 100 ms on a node with a few peers, about every
 * second at 10,000.
 */
export const READ_BUDGET = 20;

type Track = { used: number; at: number; rate: number };

/**
 * When the meter must next read each data lease so it is cut close to its allowance: half the projected time
 * to the allowance at the lease's own rate (so reads close in geometrically, and aim at the moment itself once
 * it is nearer than `minMs`), and no later than the time to it at the top rate (at least {@link idleFloorMs}
 * after a first reading; a new lease, whose buyer is about to send, is read from `minMs`). Leases far from their
 * allowance cost nothing beyond the regular poll, and all leases share each device read.
 */
export class DataWatch {
  private readonly policy: DataWatchPolicy;
  private readonly tracks = new Map<string, Track>();
  /** When each lease next wants a read (ms on the caller's clock). */
  private readonly due = new Map<string, number>();
  private readCostMs = 0;

  constructor(policy: DataWatchPolicy) {
    this.policy = policy;
  }

  /** How long a check takes now (smoothed): bounds how often idle leases may ask for one. */
  readCost(ms: number): void {
    this.readCostMs = this.readCostMs === 0 ? ms : this.readCostMs * 0.8 + ms * 0.2;
  }

  /** The floor of reads on the top-rate bound alone (see {@link READ_BUDGET}). */
  get idleFloorMs(): number {
    const { intervalMs, idleMinMs } = this.policy;
    return Math.min(intervalMs, Math.max(idleMinMs, READ_BUDGET * this.readCostMs));
  }

  /** Records a reading; true when the lease has used its allowance. */
  observe(sample: DataSample): boolean {
    const before = this.tracks.get(sample.id);
    const dt = before ? sample.at - before.at : 0;
    const moved = before ? sample.used - before.used : 0;
    const rate = dt > 0 ? Math.max(0, moved) / dt : (before?.rate ?? 0);
    this.tracks.set(sample.id, { used: sample.used, at: sample.at, rate });
    const left = sample.allowed - sample.used;
    if (left <= 0) {
      this.forget(sample.id);
      return true;
    }
    const delay = this.delay(left, rate, before === undefined);
    // A lease that can wait for the regular poll asks for no read of its own: the poll observes it.
    if (delay >= this.policy.intervalMs) this.due.delete(sample.id);
    else this.due.set(sample.id, sample.at + delay);
    return false;
  }

  /**
   * A lease's allowance was set or raised (bought, renewed): re-plan its next read from its last reading, or,
   * for a lease not seen yet, from `used` now. No device read is needed for that.
   */
  allowanceChanged(sample: DataSample): void {
    const track = this.tracks.get(sample.id);
    if (!track) {
      this.observe(sample);
      return;
    }
    const delay = this.delay(sample.allowed - track.used, track.rate, false);
    if (delay >= this.policy.intervalMs) this.due.delete(sample.id);
    else this.due.set(sample.id, track.at + delay);
  }

  private delay(left: number, rate: number, fresh: boolean): number {
    const { intervalMs, minMs, topRate } = this.policy;
    const worst = fresh ? left / topRate : Math.max(this.idleFloorMs, left / topRate);
    const eta = rate > 0 ? left / rate : Number.POSITIVE_INFINITY;
    if (eta < minMs) return Math.max(AIM_FLOOR_MS, eta);
    return Math.min(intervalMs, Math.max(minMs, Math.min(eta / 2, worst)));
  }

  /** The earliest moment a lease wants a read, if any wants one before the regular poll. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const at of this.due.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  /** The leases whose read is due at `now`. */
  dueAt(now: number): string[] {
    return [...this.due].filter(([, at]) => at <= now).map(([id]) => id);
  }

  /** Keeps only these leases (the rest ended or are no longer limited by data). */
  retain(ids: Set<string>): void {
    for (const id of this.tracks.keys()) if (!ids.has(id)) this.forget(id);
  }

  forget(id: string): void {
    this.tracks.delete(id);
    this.due.delete(id);
  }

  get size(): number {
    return this.tracks.size;
  }
}
