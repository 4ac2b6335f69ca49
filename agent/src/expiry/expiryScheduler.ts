import type { Clock } from "../clock.ts";
import { MinHeap } from "./minHeap.ts";

/** Long timers drift; waking at least this often re-checks the heap against the clock. */
const MAX_SLEEP_MS = 30_000;

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
  private readonly p: ExpirySchedulerParameters;
  private readonly heap = new MinHeap<string>();
  private readonly deadlines = new Map<string, number>();
  private timer: unknown;
  private armedFor: number | undefined;
  private running = false;
  private firing = false;

  constructor(parameters: ExpirySchedulerParameters) {
    this.p = parameters;
  }

  get size(): number {
    return this.deadlines.size;
  }

  schedule(id: string, at: number): void {
    if (this.deadlines.get(id) === at) return;
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
    } finally {
      this.firing = false;
      this.arm();
    }
  }
}
