import { costOf, dataCost, finalOwed, planChannelPurchase } from "./channelBilling.ts";

const terms = { pricePerMinute: 1_000n, minuteMs: 60_000 };
const T = 1_700_000_000_000;
const MB = 1_000_000;
const time = (minutes: number) => ({ minutes, megabytes: 0 });
// A time lease as billing reads it.
const timeLease = (expiresAt: number, channel: { id: string; t0: number; c0: bigint } | null) => ({
  expiresAt,
  plan: "time" as const,
  bytesAllowed: null,
  bytesUsed: 0,
  channel: channel && { ...channel, b0: 0 },
});

describe("billing to the second", () => {
  it("prices time by the millisecond, rounded up to the base unit", () => {
    expect(costOf(terms, 60_000)).toBe(1_000n);
    expect(costOf(terms, 1_000)).toBe(17n); // 16.67 → 17: never below what was served
    expect(costOf(terms, 0)).toBe(0n);
    expect(costOf(terms, -5)).toBe(0n);
  });

  it("a new lease charges nothing yet and its ceiling covers exactly the minutes bought", () => {
    const plan = planChannelPurchase({ terms, now: T, units: time(2), charged: 500n });
    expect(plan).toEqual({
      quote: 2_000n,
      bought: 2_000n,
      charge: 0n,
      expiresAt: T + 120_000,
      bytesAllowed: null,
      t0: T,
      b0: 0,
      c0: 500n,
      ceiling: 2_500n,
    });
  });

  it("a renewal charges the seconds used since the last charge and raises the ceiling by the minutes bought", () => {
    const lease = timeLease(T + 60_000, { id: "0xc", t0: T, c0: 0n });
    const plan = planChannelPurchase({ terms, now: T + 30_000, units: time(1), charged: 0n, lease });
    expect(plan).toMatchObject({ quote: 2_000n, charge: 500n, expiresAt: T + 120_000, t0: T, c0: 0n, ceiling: 2_000n });
    // The next renewal 30 s later, after that charge: again 30 s charged, ceiling one more minute ahead.
    const next = planChannelPurchase({
      terms,
      now: T + 60_000,
      units: time(1),
      charged: 500n,
      lease: { ...lease, expiresAt: plan.expiresAt },
    });
    expect(next).toMatchObject({ quote: 2_500n, charge: 500n, expiresAt: T + 180_000, ceiling: 3_000n });
  });

  it("never grants time the ceiling does not cover, whatever the clock says", () => {
    for (const now of [T, T + 1, T + 59_999, T + 60_000, T + 60_001, T + 90_000]) {
      const lease = timeLease(T + 60_000, { id: "0xc", t0: T, c0: 100n });
      const plan = planChannelPurchase({ terms, now, units: time(3), charged: 600n, lease });
      expect(plan.c0 + costOf(terms, plan.expiresAt - plan.t0)).toBeLessThanOrEqual(plan.ceiling);
      expect(600n + plan.charge).toBeLessThanOrEqual(plan.ceiling);
      expect(plan.ceiling).toBe(600n + plan.quote);
    }
  });

  it("gives the same quote either side of the expiry, so a 402 and its payment agree", () => {
    const lease = timeLease(T + 60_000, { id: "0xc", t0: T, c0: 0n });
    const before = planChannelPurchase({ terms, now: T + 59_000, units: time(1), charged: 300n, lease });
    const after = planChannelPurchase({ terms, now: T + 70_000, units: time(1), charged: 300n, lease });
    expect(after.quote).toBe(before.quote);
    // Lapsed: the unserved gap is not billed, and the new minute starts now.
    expect(after).toMatchObject({ charge: 700n, t0: T + 70_000, c0: 1_000n, expiresAt: T + 130_000 });
  });

  it("a lease bought by exact and renewed by channel owes the channel nothing before its paid expiry", () => {
    const plan = planChannelPurchase({
      terms,
      now: T,
      units: time(1),
      charged: 0n,
      lease: timeLease(T + 30_000, null),
    });
    expect(plan).toMatchObject({ quote: 1_000n, charge: 0n, t0: T + 30_000, expiresAt: T + 90_000 });
  });

  it("a closed lease owes the seconds up to its close, an expired one up to its expiry", () => {
    const lease = timeLease(T + 120_000, { id: "0xc", t0: T, c0: 200n }) as ReturnType<typeof timeLease> & {
      channel: { id: string; t0: number; b0: number; c0: bigint };
    };
    expect(finalOwed(terms, lease, T + 45_000)).toBe(950n);
    expect(finalOwed(terms, lease, T + 999_000)).toBe(2_200n);
  });
});

describe("billing to the byte block", () => {
  const data = { ...terms, pricePerMb: 10_000n, blockBytes: 100_000, dataValidityMs: 3_600_000 };
  const dataLease = (over: { bytesUsed: number; bytesAllowed: number; expiresAt?: number; c0?: bigint }) => ({
    expiresAt: over.expiresAt ?? T + 3_600_000,
    plan: "data" as const,
    bytesAllowed: over.bytesAllowed,
    bytesUsed: over.bytesUsed,
    channel: { id: "0xc", t0: T, b0: 0, c0: over.c0 ?? 0n },
  });

  it("prices bytes by whole blocks, rounded up", () => {
    expect(dataCost(data, 1)).toBe(1_000n); // one 0.1 MB block
    expect(dataCost(data, 100_000)).toBe(1_000n);
    expect(dataCost(data, 100_001)).toBe(2_000n);
    expect(dataCost(data, MB)).toBe(10_000n);
    expect(dataCost(data, 0)).toBe(0n);
  });

  it("a new data lease: the ceiling covers the megabytes bought, nothing is charged, time is only a validity", () => {
    const plan = planChannelPurchase({ terms: data, now: T, units: { minutes: 0, megabytes: 5 }, charged: 0n });
    expect(plan).toMatchObject({ quote: 50_000n, charge: 0n, bytesAllowed: 5 * MB, expiresAt: T + 3_600_000 });
  });

  it("a renewal charges the blocks moved since the basis and raises the ceiling by the next megabytes", () => {
    const lease = dataLease({ bytesUsed: 1_234_567, bytesAllowed: 5 * MB });
    const plan = planChannelPurchase({
      terms: data,
      now: T + 60_000,
      units: { minutes: 0, megabytes: 5 },
      charged: 0n,
      lease,
    });
    // 1,234,567 bytes → 13 blocks of 0.1 MB.
    expect(plan).toMatchObject({ charge: 13_000n, bytesAllowed: 10 * MB, ceiling: 100_000n, quote: 100_000n });
  });

  it("the quote does not move with the traffic, so a 402 and its payment agree", () => {
    const quotes = [0, 10, 2_500_000, 4_999_999].map(
      (bytesUsed) =>
        planChannelPurchase({
          terms: data,
          now: T + 1_000,
          units: { minutes: 0, megabytes: 1 },
          charged: 7_000n,
          lease: dataLease({ bytesUsed, bytesAllowed: 5 * MB }),
        }).quote,
    );
    expect(new Set(quotes).size).toBe(1);
  });

  it("never charges bytes beyond the allowance, nor above the ceiling", () => {
    const lease = dataLease({ bytesUsed: 9 * MB, bytesAllowed: 5 * MB });
    expect(finalOwed(data, lease, T + 60_000)).toBe(50_000n);
    for (const bytesUsed of [0, 1, 4_999_999, 5 * MB, 50 * MB]) {
      const plan = planChannelPurchase({
        terms: data,
        now: T + 60_000,
        units: { minutes: 0, megabytes: 2 },
        charged: 0n,
        lease: dataLease({ bytesUsed, bytesAllowed: 5 * MB }),
      });
      expect(plan.charge).toBeLessThanOrEqual(plan.ceiling);
      expect(plan.ceiling).toBe(plan.quote);
    }
  });

  it("a lease that ran out restarts its allowance from the bytes it moved: the overshoot is never sold twice", () => {
    const lease = dataLease({ bytesUsed: 5_300_000, bytesAllowed: 5 * MB, expiresAt: T + 10_000 });
    const plan = planChannelPurchase({
      terms: data,
      now: T + 20_000,
      units: { minutes: 0, megabytes: 1 },
      charged: 0n,
      lease,
    });
    expect(plan).toMatchObject({ charge: 50_000n, b0: 5_300_000, bytesAllowed: 6_300_000, quote: 60_000n });
  });

  it("a hybrid lease owes its seconds and its blocks", () => {
    const hybrid = { ...dataLease({ bytesUsed: 250_000, bytesAllowed: 2 * MB }), plan: "hybrid" as const };
    expect(finalOwed(data, hybrid, T + 30_000)).toBe(500n + 3_000n);
    const plan = planChannelPurchase({
      terms: data,
      now: T + 30_000,
      units: { minutes: 1, megabytes: 1 },
      charged: 0n,
      lease: { ...hybrid, expiresAt: T + 60_000 },
    });
    expect(plan).toMatchObject({ charge: 3_500n, expiresAt: T + 120_000, bytesAllowed: 3 * MB });
    expect(plan.ceiling).toBe(2_000n + 30_000n);
  });
});
