// A channel's renewals start 30 s before expiry instead of at the margin; the margin still wins when wider.
import { ManualClock } from "@wg402/shared/runtime";
import { AutoRenewer } from "./autoRenewer.ts";

const MINUTE = 60_000;

function renewerWith(p: { renewAheadMs?: number; initialLatencyMs?: number }) {
  const clock = new ManualClock();
  const start = clock.now();
  const calls: number[] = [];
  const renewer: AutoRenewer = new AutoRenewer({
    leaseId: "lease_1",
    expiresAt: start + MINUTE,
    minutes: 1,
    price: 1_000n,
    minuteMs: MINUTE,
    clock,
    minMarginMs: 10_000,
    ...p,
    target: {
      renew: async () => {
        calls.push(clock.now() - start);
        return { expiresAt: renewer.expiresAt + MINUTE, amount: 1_000n, txHash: null };
      },
    },
  });
  return { clock, calls, renewer };
}

describe("AutoRenewer cadence", () => {
  it("renews 30 s ahead when asked, one renewal's time apart, never more than 90 s granted ahead", async () => {
    const { clock, calls, renewer } = renewerWith({ renewAheadMs: 30_000 });
    renewer.start();
    await clock.advance(3 * MINUTE);
    expect(calls).toEqual([30_000, 90_000, 150_000]);
    expect(renewer.expiresAt - clock.now()).toBeLessThanOrEqual(90_000);
    renewer.stop();
  });

  it("without the bound renews at the margin, as for exact payments", async () => {
    const { clock, calls, renewer } = renewerWith({});
    renewer.start();
    await clock.advance(2 * MINUTE);
    expect(calls).toEqual([50_000, 110_000]);
    renewer.stop();
  });

  it("never starts more than half a renewal ahead", async () => {
    const { clock, calls, renewer } = renewerWith({ renewAheadMs: 50_000 });
    renewer.start();
    await clock.advance(MINUTE);
    expect(calls).toEqual([30_000]);
    renewer.stop();
  });

  it("a margin wider than the period (slow payments) still decides", async () => {
    const { clock, calls, renewer } = renewerWith({ renewAheadMs: 30_000, initialLatencyMs: 15_000 });
    renewer.start();
    // Margin: 3 × 15 s = 45 s before expiry, earlier than the 30 s cadence would start.
    await clock.advance(16_000);
    expect(calls).toEqual([15_000]);
    renewer.stop();
  });
});
