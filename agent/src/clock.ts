/** Milliseconds since the epoch. Injected everywhere time matters, so tests can move it. */
export type Clock = { now: () => number };

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export function manualClock(
  start = Date.UTC(2026, 0, 1),
): Clock & { advance: (ms: number) => void; set: (ms: number) => void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
