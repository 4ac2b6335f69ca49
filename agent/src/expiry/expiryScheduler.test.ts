import { ManualClock } from "@wg402/shared/runtime";
import { EXPIRY_RETRY_MS, ExpiryScheduler, MAX_SLEEP_MS } from "./expiryScheduler.ts";

/** A stand-in ledger: lease deadlines by id; expiring takes every due one out, as the real batch does. */
function setup(options: { failures?: number } = {}) {
  const clock = new ManualClock(0);
  const deadlines = new Map<string, number>();
  const fired: { ids: string[]; at: number }[] = [];
  const errors: unknown[] = [];
  let failures = options.failures ?? 0;
  const scheduler = new ExpiryScheduler({
    clock,
    nextDeadline: () => (deadlines.size === 0 ? undefined : Math.min(...deadlines.values())),
    onDue: async () => {
      if (failures-- > 0) throw new Error("device unreachable");
      const due = [...deadlines].filter(([, at]) => at <= clock.now()).map(([id]) => id);
      for (const id of due) deadlines.delete(id);
      fired.push({ ids: due.sort(), at: clock.now() });
    },
    onError: (error) => errors.push(error),
  });
  const lease = (id: string, at: number) => {
    deadlines.set(id, at);
    scheduler.schedule(at);
  };
  return { clock, deadlines, fired, errors, scheduler, lease };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it("arms for the ledger's earliest deadline at start-up", async () => {
  const t = setup();
  t.deadlines.set("restored", 700);
  t.scheduler.start();
  expect(t.clock.timers.length).toBe(1);
  await t.clock.advance(700);
  await settle();
  expect(t.fired).toEqual([{ ids: ["restored"], at: 700 }]);
});

it("fires each lease at its deadline, earliest first, with one timer", async () => {
  const t = setup();
  t.scheduler.start();
  t.lease("b", 2_000);
  t.lease("a", 1_000);
  t.lease("c", 2_000);
  expect(t.clock.timers.length).toBe(1);
  await t.clock.advance(999);
  await settle();
  expect(t.fired).toEqual([]);
  await t.clock.advance(1);
  await settle();
  expect(t.fired).toEqual([{ ids: ["a"], at: 1_000 }]);
  await t.clock.advance(1_000);
  await settle();
  expect(t.fired).toEqual([
    { ids: ["a"], at: 1_000 },
    { ids: ["b", "c"], at: 2_000 },
  ]);
  expect(t.clock.timers.length).toBe(0);
});

it("moves a deadline when a lease is renewed, without expiring it at the old one", async () => {
  const t = setup();
  t.scheduler.start();
  t.lease("a", 1_000);
  t.lease("a", 5_000);
  await t.clock.advance(4_000);
  await settle();
  expect(t.fired).toEqual([]);
  await t.clock.advance(1_000);
  await settle();
  expect(t.fired).toEqual([{ ids: ["a"], at: 5_000 }]);
});

it("re-arms for an earlier deadline scheduled later", async () => {
  const t = setup();
  t.scheduler.start();
  t.lease("late", 10_000);
  t.lease("early", 500);
  await t.clock.advance(500);
  await settle();
  expect(t.fired).toEqual([{ ids: ["early"], at: 500 }]);
});

it("ignores a lease that left the ledger and fires an overdue one at once", async () => {
  const t = setup();
  t.scheduler.start();
  t.lease("gone", 100);
  t.deadlines.delete("gone"); // closed early
  await t.clock.advance(200);
  await settle();
  expect(t.fired).toEqual([]);
  t.lease("overdue", 50);
  await t.clock.advance(0);
  await settle();
  expect(t.fired).toEqual([{ ids: ["overdue"], at: 200 }]);
});

it("wakes up at least every 30 s for far deadlines, and still re-arms for a nearer one", async () => {
  const t = setup();
  t.scheduler.start();
  t.lease("far", 3_600_000);
  await t.clock.advance(MAX_SLEEP_MS);
  expect(t.clock.timers.length).toBe(1);
  t.lease("near", MAX_SLEEP_MS + 1_000);
  await t.clock.advance(1_000);
  await settle();
  expect(t.fired).toEqual([{ ids: ["near"], at: MAX_SLEEP_MS + 1_000 }]);
});

it("counts every deadline it is told of, so a batch can tell a renewal landed meanwhile", () => {
  const t = setup();
  t.scheduler.start();
  const before = t.scheduler.revision;
  t.lease("a", 1_000);
  t.lease("a", 2_000);
  expect(t.scheduler.revision).toBe(before + 2);
});

it("tries a failed expiry again a second later", async () => {
  const t = setup({ failures: 1 });
  t.scheduler.start();
  t.lease("a", 100);
  await t.clock.advance(100);
  await settle();
  expect(t.errors).toHaveLength(1);
  await t.clock.advance(EXPIRY_RETRY_MS - 1);
  await settle();
  expect(t.fired).toEqual([]);
  await t.clock.advance(1);
  await settle();
  expect(t.fired).toEqual([{ ids: ["a"], at: 100 + EXPIRY_RETRY_MS }]);
});

it("arms nothing once stopped", () => {
  const t = setup();
  t.scheduler.start();
  t.lease("a", 1_000);
  t.scheduler.stop();
  expect(t.clock.timers.length).toBe(0);
  t.lease("b", 500);
  expect(t.clock.timers.length).toBe(0);
});
