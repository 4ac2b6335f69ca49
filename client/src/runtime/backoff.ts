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
