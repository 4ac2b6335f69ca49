import { backoffDelay, createBackoff } from "./backoff.ts";

describe("backoffDelay", () => {
  it("grows by the factor from the first retry and stops at the maximum", () => {
    const backoff = { initialMs: 500, factor: 2, maxMs: 5_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, backoff))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });
});

describe("createBackoff", () => {
  it("doubles up to max and starts over on reset", () => {
    const backoff = createBackoff({ initial: 100, max: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it("grows from a zero initial delay and never exceeds a max below it", () => {
    expect([1, 2, 3].map(createBackoff({ initial: 0, max: 5 }).next)).toEqual([0, 1, 2]);
    expect([1, 2].map(createBackoff({ initial: 50, max: 10 }).next)).toEqual([50, 50]);
  });
});
