import { TokenBuckets } from "./rateLimit.ts";

describe("TokenBuckets", () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it("allows a burst of a tenth of a minute's worth, then refuses with the wait until the next token", () => {
    const buckets = new TokenBuckets({ perMinute: 600, now }); // 10/s, burst 100
    for (let i = 0; i < 100; i++) expect(buckets.take("a")).toEqual({ allowed: true });
    expect(buckets.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("refills at the per-minute rate", () => {
    const buckets = new TokenBuckets({ perMinute: 60, now }); // 1/s, burst 10
    for (let i = 0; i < 10; i++) buckets.take("a");
    expect(buckets.take("a").allowed).toBe(false);
    clock += 999;
    expect(buckets.take("a").allowed).toBe(false);
    clock += 1;
    expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
    clock += 3_000;
    for (let i = 0; i < 3; i++) expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
    // A long pause refills to the burst, not beyond it.
    clock += 3_600_000;
    for (let i = 0; i < 10; i++) expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
  });

  it("tells a slow bucket to wait whole seconds, rounded up", () => {
    const buckets = new TokenBuckets({ perMinute: 6, now }); // one per 10 s, burst 1
    expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a")).toEqual({ allowed: false, retryAfterSeconds: 10 });
    clock += 2_500;
    expect(buckets.take("a")).toEqual({ allowed: false, retryAfterSeconds: 8 });
  });

  it("keeps one bucket per key", () => {
    const buckets = new TokenBuckets({ perMinute: 6, now });
    expect(buckets.take("a").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
    expect(buckets.take("b").allowed).toBe(true);
  });

  it("forgets buckets idle long enough to be full again, so memory follows the active clients", () => {
    const buckets = new TokenBuckets({ perMinute: 60, now }); // full again 10 s after the last request
    for (let i = 0; i < 1_000; i++) buckets.take(`ip-${i}`);
    expect(buckets.size).toBe(1_000);
    clock += 5_000;
    buckets.take("late");
    expect(buckets.size).toBe(1_001);
    clock += 5_000;
    buckets.take("later");
    expect(buckets.size).toBe(2);
    // A forgotten bucket comes back full, which is what it would have been anyway.
    for (let i = 0; i < 10; i++) expect(buckets.take("ip-1").allowed).toBe(true);
    expect(buckets.take("ip-1").allowed).toBe(false);
  });

  it("never holds more than maxBuckets, dropping the least recently seen", () => {
    const buckets = new TokenBuckets({ perMinute: 6, now, maxBuckets: 3 });
    for (const key of ["a", "b", "c"]) buckets.take(key);
    buckets.take("a");
    buckets.take("d");
    expect(buckets.size).toBe(3);
    // "b" was the least recently seen: it starts over; "a" is still drained.
    expect(buckets.take("b").allowed).toBe(true);
    expect(buckets.take("a").allowed).toBe(false);
  });

  it("refuses a rate of zero: that means off, which is the middleware's to decide", () => {
    expect(() => new TokenBuckets({ perMinute: 0, now })).toThrow(RangeError);
  });
});
