import { DataWatch } from "./dataWatch.ts";

const MB = 1_000_000;
// 10 s regular poll, 100 ms floor, 1 s for idle leases, a 1 Gbit/s uplink (125,000 bytes per ms).
const policy = { intervalMs: 10_000, minMs: 100, idleMinMs: 1_000, topRate: 125_000 };

describe("the adaptive data watch", () => {
  it("reads a new lease soon (its buyer is about to send), at the floor when little is left", () => {
    const watch = new DataWatch(policy);
    watch.observe({ id: "a", used: 0, allowed: 5 * MB, at: 0 });
    expect(watch.nextDue()).toBe(100); // 5 MB at 1 Gbit/s: 40 ms, floored
    const big = new DataWatch(policy);
    big.observe({ id: "b", used: 0, allowed: 500 * MB, at: 0 });
    expect(big.nextDue()).toBe(4_000); // 500 MB at top rate
  });

  it("closes in as the projected time to the allowance shrinks, and aims at it once nearer than the floor", () => {
    const watch = new DataWatch(policy);
    const rate = 12_500; // 100 Mbit/s, bytes per ms
    let at = 0;
    let used = 0;
    const delays: number[] = [];
    watch.observe({ id: "a", used, allowed: 50 * MB, at });
    for (let i = 0; i < 30; i++) {
      const next = watch.nextDue() as number;
      delays.push(next - at);
      used = Math.min(used + (next - at) * rate, 60 * MB);
      at = next;
      if (watch.observe({ id: "a", used, allowed: 50 * MB, at })) break;
    }
    // Cut within one floor interval of traffic: at most 100 ms × 12.5 MB/s past the allowance.
    expect(used - 50 * MB).toBeLessThanOrEqual(100 * rate);
    expect(Math.min(...delays)).toBe(100);
    expect(delays.slice(1, 3)).toEqual([1_000, 1_000]); // far from it: the top-rate bound, 1 s apart
    expect(watch.size).toBe(0);
  });

  it("an idle lease with little left is read within the read budget, one far from it only by the poll", () => {
    const watch = new DataWatch(policy);
    watch.observe({ id: "near", used: 0, allowed: MB, at: 0 });
    watch.observe({ id: "near", used: 0, allowed: MB, at: 100 });
    expect(watch.nextDue()).toBe(1_100);
    // A device read of 46 ms (10,000 peers): idle leases wait 20 reads' time, 920 ms; of 1 ms: the 1 s floor.
    const busy = new DataWatch({ ...policy, idleMinMs: 100 });
    busy.readCost(46);
    expect(busy.idleFloorMs).toBe(920);
    busy.readCost(1);
    busy.readCost(1);
    expect(busy.idleFloorMs).toBeLessThan(920);
    const small = new DataWatch({ ...policy, idleMinMs: 100 });
    small.readCost(1);
    expect(small.idleFloorMs).toBe(100);
    const far = new DataWatch(policy);
    far.observe({ id: "far", used: 0, allowed: 10_000 * MB, at: 0 });
    far.observe({ id: "far", used: 0, allowed: 10_000 * MB, at: 10_000 });
    // Far from it: no read of its own, the regular poll observes it (no second device read per interval).
    expect(far.nextDue()).toBeUndefined();
    expect(far.size).toBe(1);
  });

  it("reports the allowance used, forgets leases that are gone, and lists what is due", () => {
    const watch = new DataWatch(policy);
    watch.observe({ id: "a", used: 0, allowed: MB, at: 0 });
    watch.observe({ id: "b", used: 0, allowed: 1_000 * MB, at: 0 });
    expect(watch.dueAt(100)).toEqual(["a"]);
    expect(watch.observe({ id: "a", used: MB, allowed: MB, at: 100 })).toBe(true);
    watch.retain(new Set());
    expect(watch.size).toBe(0);
    expect(watch.nextDue()).toBeUndefined();
  });
});
