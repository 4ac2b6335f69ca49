export type Backoff = {
  /** The delay before the next attempt; each call doubles the following one, up to max. */
  next(): number;
  reset(): void;
};

export function createBackoff(options: { initial: number; max: number }): Backoff {
  const initial = Math.max(0, options.initial);
  const max = Math.max(initial, options.max);
  let delay = initial;
  return {
    next() {
      const current = delay;
      delay = Math.min(max, Math.max(1, delay * 2));
      return current;
    },
    reset() {
      delay = initial;
    },
  };
}
