import { jest } from "@jest/globals";
import { ManualClock } from "@wg402/shared/runtime";
import { DataRenewer, type DataRenewerOptions } from "./dataRenewer.ts";

const MB = 1_000_000;

function setup(over: Partial<DataRenewerOptions> = {}) {
  const clock = new ManualClock(0);
  const traffic = { used: 0, rate: 0 }; // bytes per ms
  let allowed = 5 * MB;
  const renewals: number[] = [];
  const renewer = new DataRenewer({
    leaseId: "lease_x",
    bytesAllowed: allowed,
    megabytes: 5,
    price: 100n,
    clock,
    pollMs: 100,
    initialLatencyMs: 200,
    used: async () => traffic.used,
    renew: async (megabytes) => {
      await clock.advance(50);
      renewals.push(traffic.used);
      allowed += megabytes * MB;
      return { bytesAllowed: allowed, amount: 100n, txHash: null };
    },
    ...over,
  });
  return { clock, traffic, renewer, renewals, allowed: () => allowed };
}

describe("renewing by data", () => {
  it("renews before the allowance runs out under sustained traffic, never letting it reach zero", async () => {
    const t = setup();
    t.traffic.rate = 12_500; // 100 Mbit/s
    t.renewer.start();
    let minLeft = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 300; i++) {
      t.traffic.used += t.traffic.rate * 10;
      await t.clock.advance(10);
      minLeft = Math.min(minLeft, t.allowed() - t.traffic.used);
    }
    // 3 s at 12.5 MB/s = 37.5 MB: at least 6 renewals of 5 MB, and the allowance always ahead.
    expect(t.renewer.renewals).toBeGreaterThanOrEqual(6);
    expect(minLeft).toBeGreaterThan(0);
    // The margin covers the slowest recent payment (50 ms each here) three times over at the measured rate.
    expect(t.renewer.marginBytes).toBeGreaterThan(12_500 * 150);
    expect(t.renewer.rate).toBeGreaterThan(10_000_000); // bytes per second; traffic pauses while a renewal advances the clock
  });

  it("an idle tunnel buys nothing", async () => {
    const t = setup();
    t.renewer.start();
    await t.clock.advance(60_000);
    expect(t.renewer.renewals).toBe(0);
  });

  it("stops at the spend cap and says so", async () => {
    const t = setup({ budget: { fits: () => false, cap: 100n, committed: 100n } });
    const capped = jest.fn();
    t.renewer.on("capReached", capped);
    t.traffic.used = 5 * MB - 1_000;
    t.renewer.start();
    await t.clock.advance(500);
    expect(capped).toHaveBeenCalledTimes(1);
    expect(t.renewals).toEqual([]);
  });

  it("retries a failed renewal with backoff, and stops for good when the lease is over", async () => {
    const { ClientError } = await import("../errors.ts");
    let calls = 0;
    const t = setup({
      renew: async () => {
        calls++;
        throw new ClientError("node down", { code: calls < 3 ? "node_unreachable" : "lease_not_active" } as never);
      },
    });
    const failed = jest.fn();
    t.renewer.on("renewalFailed", failed);
    t.traffic.used = 5 * MB - 1_000;
    t.renewer.start();
    await t.clock.advance(20_000);
    expect(calls).toBe(3);
    expect(failed).toHaveBeenCalledTimes(2);
  });
});
