export type Backoff = {
  /** The first retry's delay. */
  initialMs: number;
  /** Each further retry waits this many times longer. */
  factor: number;
  /** No retry waits longer than this. */
  maxMs: number;
};

/**
 * Exponential backoff: the delay before retry number `attempt` (1 for the first) is
 * `initialMs × factor^(attempt − 1)`, at most `maxMs`. Pure, so a caller can bound it further (by the time a
 * lease has left, say) and a test can read the schedule without waiting for it.
 */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1), backoff.maxMs);
}

/** The same schedule, doubling, as a counter: `next()` gives each retry's delay in turn, `reset()` starts over. */
export function createBackoff(options: { initial: number; max: number }): { next(): number; reset(): void } {
  const initial = Math.max(0, options.initial);
  const max = Math.max(initial, options.max);
  let attempt = 0;
  return {
    next() {
      attempt++;
      if (attempt === 1) return initial;
      // From a zero first delay the schedule still grows: 0, 1, 2, 4 ... ms.
      const from = initial > 0 ? attempt : attempt - 1;
      return backoffDelay(from, { initialMs: Math.max(1, initial), factor: 2, maxMs: max });
    },
    reset() {
      attempt = 0;
    },
  };
}
