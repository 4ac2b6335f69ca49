import type { Clock } from "../clock.ts";
import { MinHeap } from "./minHeap.ts";

/** Long timers drift; waking at least this often re-checks the heap against the clock. */
const MAX_SLEEP_MS = 30_000;
/** After a failed expiry (device unreachable, say), the leases it held are tried again this much later. */
export const EXPIRY_RETRY_MS = 1_000;

export type ExpirySchedulerParameters = {
  clock: Clock;
  /** Called with the ids whose deadline has passed; the ledger stays the authority on what is really due. */
  onDue: (ids: string[]) => Promise<void>;
  onError: (error: unknown) => void;
};

/**
 * One timer for all leases: a min-heap on expiry time, armed for the earliest deadline. A renewal only moves
 * a deadline (the old heap entry is skipped when it surfaces), so scheduling is O(log n) and a timer never
 * exists per lease.
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
  private readonly heap = new MinHeap<string>();
  private readonly deadlines = new Map<string, number>();
  private timer: unknown;
  private armedFor: number | undefined;
  private running = false;
  private firing = false;
  private scheduled = 0;

  constructor(parameters: ExpirySchedulerParameters) {
    this.p = parameters;
  }

  get size(): number {
    return this.deadlines.size;
  }

  /**
   * Goes up whenever {@link schedule} sets or moves a deadline (a lease activated or renewed). An expiry batch
   * compares it before and after its device work to learn, for free, whether a renewal may have landed.
   */
  get revision(): number {
    return this.scheduled;
  }

  schedule(id: string, at: number): void {
    if (this.deadlines.get(id) === at) return;
    this.scheduled++;
    this.deadlines.set(id, at);
    this.heap.push(at, id);
    this.arm();
  }

  unschedule(id: string): void {
    this.deadlines.delete(id);
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.p.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private arm(): void {
    if (!this.running || this.firing) return;
    this.dropStale();
    const next = this.heap.peek();
    if (!next) return;
    if (this.armedFor !== undefined && this.armedFor <= next.key) return;
    if (this.timer !== undefined) this.p.clock.clearTimeout(this.timer);
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, next.key - this.p.clock.now()));
    this.armedFor = next.key;
    this.timer = this.p.clock.setTimeout(() => void this.fire(), delay);
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top && this.deadlines.get(top.value) !== top.key; top = this.heap.peek()) {
      this.heap.pop();
    }
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.armedFor = undefined;
    this.firing = true;
    const now = this.p.clock.now();
    const due: string[] = [];
    this.dropStale();
    for (let top = this.heap.peek(); top && top.key <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (this.deadlines.get(top.value) === top.key) {
        this.deadlines.delete(top.value);
        due.push(top.value);
      }
      this.dropStale();
    }
    try {
      if (due.length > 0) await this.p.onDue(due);
    } catch (error) {
      this.p.onError(error);
      // Their deadlines left the heap: without this they would wait for some later lease's deadline.
      const retryAt = this.p.clock.now() + EXPIRY_RETRY_MS;
      for (const id of due) {
        if (this.deadlines.has(id)) continue; // rescheduled (renewed) meanwhile
        this.deadlines.set(id, retryAt);
        this.heap.push(retryAt, id);
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  }
}
