import { ManualClock } from "./clock.ts";

describe("ManualClock", () => {
  it("fires timers in time order as it advances, at their own times", async () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(["b", clock.now()]), 200);
    clock.setTimeout(() => fired.push(["a", clock.now()]), 100);
    const gone = clock.setTimeout(() => fired.push(["never", clock.now()]), 150);
    clock.clearTimeout(gone);
    await clock.advance(150);
    expect(fired).toEqual([["a", 100]]);
    await clock.advance(100);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 200],
    ]);
    expect(clock.now()).toBe(250);
    expect(clock.timers).toEqual([]);
  });

  it("jumps without firing; the next advance finds everything due at once", async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    for (const at of [10, 20, 30]) clock.setTimeout(() => seen.push(clock.now()), at);
    clock.jump(1_000);
    expect(seen).toEqual([]);
    await clock.advance(0);
    expect(seen).toEqual([1_000, 1_000, 1_000]);
  });
});
