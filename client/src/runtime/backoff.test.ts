import { backoffDelay } from "./backoff.ts";

describe("backoffDelay", () => {
  it("grows by the factor from the first retry and stops at the maximum", () => {
    const backoff = { initialMs: 500, factor: 2, maxMs: 5_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, backoff))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });
});
