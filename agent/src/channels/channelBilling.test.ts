import { costOf, finalOwed, planChannelPurchase } from "./channelBilling.ts";

const terms = { pricePerMinute: 1_000n, minuteMs: 60_000 };
const T = 1_700_000_000_000;

describe("billing to the second", () => {
  it("prices time by the millisecond, rounded up to the base unit", () => {
    expect(costOf(terms, 60_000)).toBe(1_000n);
    expect(costOf(terms, 1_000)).toBe(17n); // 16.67 → 17: never below what was served
    expect(costOf(terms, 0)).toBe(0n);
    expect(costOf(terms, -5)).toBe(0n);
  });

  it("a new lease charges nothing yet and its ceiling covers exactly the minutes bought", () => {
    const plan = planChannelPurchase({ terms, now: T, minutes: 2, charged: 500n });
    expect(plan).toEqual({ quote: 2_000n, charge: 0n, expiresAt: T + 120_000, t0: T, c0: 500n, ceiling: 2_500n });
  });

  it("a renewal charges the seconds used since the last charge and raises the ceiling by the minutes bought", () => {
    const lease = { expiresAt: T + 60_000, channel: { id: "0xc", t0: T, c0: 0n } };
    const plan = planChannelPurchase({ terms, now: T + 30_000, minutes: 1, charged: 0n, lease });
    expect(plan).toMatchObject({ quote: 2_000n, charge: 500n, expiresAt: T + 120_000, t0: T, c0: 0n, ceiling: 2_000n });
    // The next renewal 30 s later, after that charge: again 30 s charged, ceiling one more minute ahead.
    const next = planChannelPurchase({
      terms,
      now: T + 60_000,
      minutes: 1,
      charged: 500n,
      lease: { ...lease, expiresAt: plan.expiresAt },
    });
    expect(next).toMatchObject({ quote: 2_500n, charge: 500n, expiresAt: T + 180_000, ceiling: 3_000n });
  });

  it("never grants time the ceiling does not cover, whatever the clock says", () => {
    for (const now of [T, T + 1, T + 59_999, T + 60_000, T + 60_001, T + 90_000]) {
      const lease = { expiresAt: T + 60_000, channel: { id: "0xc", t0: T, c0: 100n } };
      const plan = planChannelPurchase({ terms, now, minutes: 3, charged: 600n, lease });
      expect(plan.c0 + costOf(terms, plan.expiresAt - plan.t0)).toBeLessThanOrEqual(plan.ceiling);
      expect(600n + plan.charge).toBeLessThanOrEqual(plan.ceiling);
      expect(plan.ceiling).toBe(600n + plan.quote);
    }
  });

  it("gives the same quote either side of the expiry, so a 402 and its payment agree", () => {
    const lease = { expiresAt: T + 60_000, channel: { id: "0xc", t0: T, c0: 0n } };
    const before = planChannelPurchase({ terms, now: T + 59_000, minutes: 1, charged: 300n, lease });
    const after = planChannelPurchase({ terms, now: T + 70_000, minutes: 1, charged: 300n, lease });
    expect(after.quote).toBe(before.quote);
    // Lapsed: the unserved gap is not billed, and the new minute starts now.
    expect(after).toMatchObject({ charge: 700n, t0: T + 70_000, c0: 1_000n, expiresAt: T + 130_000 });
  });

  it("a lease bought by exact and renewed by channel owes the channel nothing before its paid expiry", () => {
    const plan = planChannelPurchase({
      terms,
      now: T,
      minutes: 1,
      charged: 0n,
      lease: { expiresAt: T + 30_000, channel: null },
    });
    expect(plan).toMatchObject({ quote: 1_000n, charge: 0n, t0: T + 30_000, expiresAt: T + 90_000 });
  });

  it("a closed lease owes the seconds up to its close, an expired one up to its expiry", () => {
    const channel = { id: "0xc", t0: T, c0: 200n };
    expect(finalOwed(terms, channel, T + 120_000, T + 45_000)).toBe(950n);
    expect(finalOwed(terms, channel, T + 120_000, T + 999_000)).toBe(2_200n);
  });
});
