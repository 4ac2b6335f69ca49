import { manualClock } from "../clock.ts";
import { EXPIRY_RETRY_MS, ExpiryScheduler } from "./expiryScheduler.ts";

function setup() {
  const clock = manualClock(0);
  const fired: { ids: string[]; at: number }[] = [];
  const scheduler = new ExpiryScheduler({
    clock,
    onDue: async (ids) => {
      fired.push({ ids: [...ids].sort(), at: clock.now() });
    },
    onError: (error) => {
      throw error;
    },
  });
  scheduler.start();
  return { clock, fired, scheduler };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it("fires each lease at its deadline, earliest first, with one timer", async () => {
  const { clock, fired, scheduler } = setup();
  scheduler.schedule("b", 2_000);
  scheduler.schedule("a", 1_000);
  scheduler.schedule("c", 2_000);
  expect(clock.pendingTimers()).toBe(1);
  clock.advance(999);
  await settle();
  expect(fired).toEqual([]);
  clock.advance(1);
  await settle();
  expect(fired).toEqual([{ ids: ["a"], at: 1_000 }]);
  clock.advance(1_000);
  await settle();
  expect(fired).toEqual([
    { ids: ["a"], at: 1_000 },
    { ids: ["b", "c"], at: 2_000 },
  ]);
  expect(scheduler.size).toBe(0);
});

it("moves a deadline when a lease is renewed, without firing the old one", async () => {
  const { clock, fired, scheduler } = setup();
  scheduler.schedule("a", 1_000);
  scheduler.schedule("a", 5_000);
  clock.advance(4_000);
  await settle();
  expect(fired).toEqual([]);
  clock.advance(1_000);
  await settle();
  expect(fired).toEqual([{ ids: ["a"], at: 5_000 }]);
});

it("re-arms for an earlier deadline scheduled later", async () => {
  const { clock, fired, scheduler } = setup();
  scheduler.schedule("late", 10_000);
  scheduler.schedule("early", 500);
  clock.advance(500);
  await settle();
  expect(fired).toEqual([{ ids: ["early"], at: 500 }]);
});

it("forgets unscheduled leases and fires overdue ones at once", async () => {
  const { clock, fired, scheduler } = setup();
  scheduler.schedule("gone", 100);
  scheduler.unschedule("gone");
  clock.advance(200);
  await settle();
  expect(fired).toEqual([]);
  scheduler.schedule("overdue", 50);
  clock.advance(0);
  await settle();
  expect(fired).toEqual([{ ids: ["overdue"], at: 200 }]);
});

it("wakes up at least every 30 s for far deadlines", () => {
  const { clock, scheduler } = setup();
  scheduler.schedule("far", 3_600_000);
  clock.advance(30_000);
  expect(clock.pendingTimers()).toBe(1);
});

it("tries the leases of a failed expiry again a second later", async () => {
  const clock = manualClock(0);
  const calls: { ids: string[]; at: number }[] = [];
  const errors: unknown[] = [];
  let failures = 1;
  const scheduler = new ExpiryScheduler({
    clock,
    onDue: async (ids) => {
      calls.push({ ids: [...ids], at: clock.now() });
      if (failures-- > 0) throw new Error("device unreachable");
    },
    onError: (error) => errors.push(error),
  });
  scheduler.start();
  scheduler.schedule("a", 100);
  clock.advance(100);
  await settle();
  expect(errors).toHaveLength(1);
  clock.advance(EXPIRY_RETRY_MS - 1);
  await settle();
  expect(calls).toEqual([{ ids: ["a"], at: 100 }]);
  clock.advance(1);
  await settle();
  expect(calls).toEqual([
    { ids: ["a"], at: 100 },
    { ids: ["a"], at: 100 + EXPIRY_RETRY_MS },
  ]);
  expect(scheduler.size).toBe(0);
});
