/** An opaque timer handle; only the clock that made it can cancel it. */
export type TimerHandle = { readonly id: number };

/**
 * Time as the renewer and the session see it. Injected so that tests can run hours of leases in
 * milliseconds; production uses {@link systemClock}.
 */
export type Clock = {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
};

const timers = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const id = nextId++;
    // Node caps timers at 2^31-1 ms; a lease of weeks would otherwise fire at once.
    timers.set(
      id,
      setTimeout(
        () => {
          timers.delete(id);
          callback();
        },
        Math.min(Math.max(0, ms), 2_147_483_647),
      ),
    );
    return { id };
  },
  clearTimeout(handle) {
    const timer = timers.get(handle.id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(handle.id);
  },
};

/** A clock that only moves when told to: `advance(ms)` fires due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextTimerId = 1;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextTimerId++;
    this.pending.set(id, { at: this.current + Math.max(0, ms), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  /** Timers still waiting, earliest first. */
  get timers(): number[] {
    return [...this.pending.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms` at once, as a process that was stalled sees it: nothing fires until the next
   * {@link advance}, which then finds every timer due at the same moment.
   */
  jump(ms: number): void {
    this.current += ms;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, and lets the promises they start settle
   * between timers, so async work scheduled by a callback runs before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushPromises();
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      const [id, timer] = due;
      this.pending.delete(id);
      this.current = Math.max(this.current, timer.at);
      timer.callback();
    }
    this.current = target;
    await flushPromises();
  }
}

async function flushPromises(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
