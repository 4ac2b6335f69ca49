import { jest } from "@jest/globals";
import { ErrorCode } from "@wg402/shared";
import { ManualClock } from "@wg402/shared/runtime";
import { SpendBudget } from "../chain/spendBudget.ts";
import { ClientError } from "../errors.ts";
import { AutoRenewer, type AutoRenewerEvents, type AutoRenewerOptions, type RenewalResult } from "./autoRenewer.ts";

const MINUTE = 60_000;
const PRICE = 1_000n;

type Recorded = {
  [K in keyof AutoRenewerEvents]: { event: K; at: number; payload: AutoRenewerEvents[K] };
}[keyof AutoRenewerEvents];

function setup(
  overrides: Partial<AutoRenewerOptions> & {
    renew?: (minutes: number, call: number, clock: ManualClock) => Promise<RenewalResult>;
    balance?: () => Promise<bigint>;
    ready?: () => Promise<boolean>;
  } = {},
) {
  const clock = new ManualClock();
  const start = clock.now();
  const calls: number[] = [];
  const expiresAt = start + MINUTE;
  // Like the agent: a renewal extends from the current expiry.
  const renew: (minutes: number, call: number, clock: ManualClock) => Promise<RenewalResult> =
    overrides.renew ?? (async () => ({ expiresAt: renewer.expiresAt + MINUTE, amount: PRICE, txHash: "0xabc" }));
  const renewer: AutoRenewer = new AutoRenewer({
    leaseId: "lease_1",
    expiresAt,
    minutes: 1,
    price: PRICE,
    minuteMs: MINUTE,
    clock,
    minMarginMs: 10_000,
    ...overrides,
    target: {
      renew: (minutes) => {
        calls.push(clock.now());
        return renew(minutes, calls.length, clock);
      },
      ...(overrides.balance ? { balance: overrides.balance } : {}),
      ...(overrides.ready ? { ready: overrides.ready } : {}),
    },
  });
  const events: Recorded[] = [];
  for (const name of ["scheduled", "renewed", "lowBalance", "capReached", "renewalFailed", "expired"] as const) {
    renewer.on(name, (payload) => events.push({ event: name, at: clock.now(), payload } as Recorded));
  }
  const named = <K extends keyof AutoRenewerEvents>(name: K) =>
    events.filter((e) => e.event === name) as Extract<Recorded, { event: K }>[];
  return { clock, start, calls, renewer, events, named };
}

describe("AutoRenewer", () => {
  it("renews when the time left falls below the margin, never after expiry", async () => {
    const { clock, start, calls, renewer, named } = setup({ initialLatencyMs: 1_000 });
    renewer.start();
    // Margin: max(10 s floor, 3 × 1 s latency) = 10 s before the 60 s expiry.
    expect(named("scheduled")[0]?.payload).toMatchObject({ at: start + 50_000, marginMs: 10_000 });
    await clock.advance(49_999);
    expect(calls).toEqual([]);
    await clock.advance(1);
    expect(calls).toEqual([start + 50_000]);
    expect(named("renewed")[0]?.payload).toMatchObject({ expiresAt: start + 2 * MINUTE, amount: PRICE, renewals: 1 });
    await clock.advance(5 * MINUTE);
    expect(calls).toEqual([50_000, 110_000, 170_000, 230_000, 290_000, 350_000].map((t) => start + t));
    // Every renewal landed before the expiry it extended: no gap.
    for (const renewed of named("renewed")) expect(renewed.at).toBeLessThan(renewed.payload.expiresAt - MINUTE);
    expect(named("expired")).toEqual([]);
    renewer.stop();
  });

  it("widens the margin to cover the measured payment latency times the safety factor", async () => {
    let expiresAt = 0;
    const { clock, start, calls, renewer, named } = setup({
      // A payment that takes 8 s, measured on the same clock.
      renew: (_minutes, _call, clock) =>
        new Promise((resolve) =>
          clock.setTimeout(() => {
            expiresAt = (expiresAt || start + MINUTE) + MINUTE;
            resolve({ expiresAt, amount: PRICE, txHash: null });
          }, 8_000),
        ),
    });
    renewer.start();
    await clock.advance(50_000);
    expect(calls).toHaveLength(1);
    await clock.advance(8_000);
    expect(named("renewed")[0]?.payload.latencyMs).toBe(8_000);
    // 3 × 8 s = 24 s now exceeds the 10 s floor.
    expect(renewer.marginMs).toBe(24_000);
    expect(named("scheduled").at(-1)?.payload.at).toBe(start + 2 * MINUTE - 24_000);
    renewer.stop();
  });

  it("keeps the floor below half a renewal on short test minutes", () => {
    const { renewer } = setup({ minuteMs: 2_000, expiresAt: Date.now() + 2_000 });
    // min(10 s, 50% of one 2 s minute) = 1 s.
    expect(renewer.marginMs).toBe(1_000);
  });

  it("stops at the spend cap, says so, and reports the expiry when the lease runs out", async () => {
    const budget = new SpendBudget({ cap: 3_000n, token: { symbol: "tUSD", decimals: 6 } });
    let expiresAt = 0;
    const { clock, start, calls, renewer, named } = setup({
      budget,
      renew: async () => {
        budget.reserve(PRICE);
        expiresAt = (expiresAt || start + MINUTE) + MINUTE;
        return { expiresAt, amount: PRICE, txHash: null };
      },
    });
    renewer.start();
    await clock.advance(10 * MINUTE);
    expect(calls).toHaveLength(3);
    expect(named("capReached")).toHaveLength(1);
    expect(named("capReached")[0]?.payload).toMatchObject({
      cap: 3_000n,
      committed: 3_000n,
      needed: PRICE,
      expiresAt: start + 4 * MINUTE,
    });
    const [expired] = named("expired");
    expect(expired?.payload).toEqual({ leaseId: "lease_1", expiresAt: start + 4 * MINUTE, cause: "spend_cap" });
    expect(expired?.at).toBe(start + 4 * MINUTE);
    expect(renewer.running).toBe(false);
  });

  it("treats a spend-cap refusal from the client like the cap itself", async () => {
    const { clock, start, renewer, named } = setup({
      renew: async () => {
        throw new ClientError("over the cap", { code: ErrorCode.spend_cap_exceeded });
      },
    });
    renewer.start();
    await clock.advance(2 * MINUTE);
    expect(named("capReached")).toHaveLength(1);
    expect(named("renewalFailed")).toEqual([]);
    expect(named("expired")[0]?.payload.cause).toBe("spend_cap");
    expect(named("expired")[0]?.at).toBe(start + MINUTE);
  });

  it("retries a failed renewal with exponential backoff", async () => {
    let expiresAt = 0;
    const { clock, start, calls, renewer, named } = setup({
      renew: async (_minutes, call) => {
        if (call <= 3) throw new ClientError("cannot reach the node", { code: ErrorCode.node_unreachable });
        expiresAt = start + 2 * MINUTE;
        return { expiresAt, amount: PRICE, txHash: null };
      },
      backoff: { initialMs: 1_000, factor: 2, maxMs: 30_000 },
      minMarginMs: 30_000,
    });
    renewer.start();
    await clock.advance(58_000);
    expect(calls.map((t) => t - start)).toEqual([30_000, 31_000, 33_000, 37_000]);
    expect(named("renewalFailed").map((e) => [e.payload.attempt, e.payload.retryInMs, e.payload.code])).toEqual([
      [1, 1_000, "node_unreachable"],
      [2, 2_000, "node_unreachable"],
      [3, 4_000, "node_unreachable"],
    ]);
    expect(named("renewed")).toHaveLength(1);
    expect(renewer.expiresAt).toBe(start + 2 * MINUTE);
    renewer.stop();
  });

  it("retries until the lease actually expires, then says it expired", async () => {
    const { clock, start, calls, renewer, named } = setup({
      renew: async () => {
        throw new ClientError("the payment was not accepted", { code: ErrorCode.payment_failed });
      },
    });
    renewer.start();
    await clock.advance(5 * MINUTE);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (const at of calls) expect(at).toBeLessThan(start + MINUTE);
    const failures = named("renewalFailed");
    expect(failures.at(-1)?.payload.retryInMs).toBeNull();
    for (const failure of failures.slice(0, -1)) expect(failure.payload.retryInMs).toBeGreaterThan(0);
    const [expired] = named("expired");
    expect(expired?.payload.cause).toBe("renewal_failed");
    expect(expired?.at).toBe(start + MINUTE);
    expect(named("expired")).toHaveLength(1);
  });

  it("stops asking once the node refuses time on a channel its payer is withdrawing, and runs out what was paid", async () => {
    const { clock, start, calls, renewer, named } = setup({
      renew: async () => {
        throw new ClientError("this channel's payer started a withdrawal", { code: ErrorCode.channel_closing });
      },
    });
    renewer.start();
    await clock.advance(2 * MINUTE);
    expect(calls).toHaveLength(1);
    expect(named("renewalFailed")).toHaveLength(1);
    expect(named("renewalFailed")[0]?.payload).toMatchObject({ code: "channel_closing", retryInMs: null });
    expect(named("expired")[0]).toMatchObject({ at: start + MINUTE, payload: { cause: "renewal_failed" } });
  });

  it("ends at once when the node no longer has the lease", async () => {
    const { clock, start, calls, renewer, named } = setup({
      renew: async () => {
        throw new ClientError("a closed lease cannot be renewed", { code: ErrorCode.lease_not_active });
      },
    });
    renewer.start();
    await clock.advance(MINUTE);
    expect(calls).toHaveLength(1);
    expect(named("renewalFailed")[0]?.payload).toMatchObject({ code: "lease_not_active", retryInMs: null });
    expect(named("expired")[0]).toMatchObject({ at: start + 50_000, payload: { cause: "lease_gone" } });
  });

  it("stops when the balance cannot pay, and warns early when it runs low", async () => {
    let balance = 2_500n;
    let expiresAt = 0;
    const { clock, start, renewer, named } = setup({
      balance: async () => balance,
      renew: async () => {
        if (balance < PRICE) {
          throw new ClientError("insufficient balance", {
            code: ErrorCode.insufficient_balance,
            details: { balance: balance.toString(), needed: PRICE.toString() },
          });
        }
        balance -= PRICE;
        expiresAt = (expiresAt || start + MINUTE) + MINUTE;
        return { expiresAt, amount: PRICE, txHash: null };
      },
    });
    renewer.start();
    await clock.advance(10 * MINUTE);
    expect(named("renewed")).toHaveLength(2);
    expect(named("lowBalance").map((e) => e.payload.renewalsLeft)).toEqual([1, 0, 0]);
    expect(named("lowBalance").at(-1)?.payload.balance).toBe(500n);
    expect(named("expired")[0]?.payload).toMatchObject({
      cause: "insufficient_balance",
      expiresAt: start + 3 * MINUTE,
    });
    expect(named("expired")[0]?.at).toBe(start + 3 * MINUTE);
  });

  it("follows an expiry moved elsewhere and does nothing after stop()", async () => {
    const { clock, start, calls, renewer } = setup();
    renewer.start();
    await clock.advance(30_000);
    renewer.updateExpiry(start + 5 * MINUTE);
    // Earlier expiries are ignored: renewing never moves backwards.
    renewer.updateExpiry(start + 2 * MINUTE);
    await clock.advance(4 * MINUTE);
    expect(calls).toEqual([]);
    await clock.advance(MINUTE);
    expect(calls).toEqual([start + 5 * MINUTE - 10_000]);
    renewer.stop();
    await clock.advance(30 * MINUTE);
    expect(calls).toHaveLength(1);
    expect(clock.timers).toEqual([]);
  });

  it("pays no more when a renewal does not extend the lease", async () => {
    const { clock, start, calls, renewer, named } = setup({
      renew: async () => ({ expiresAt: start + MINUTE, amount: PRICE, txHash: null }),
    });
    renewer.start();
    await clock.advance(2 * MINUTE);
    expect(calls.map((t) => t - start)).toEqual([50_000]);
    expect(named("renewalFailed")[0]?.payload).toMatchObject({ code: "lease_not_extended", retryInMs: null });
    expect(named("expired")[0]).toMatchObject({ at: start + MINUTE, payload: { cause: "renewal_failed" } });
  });

  it("keeps renewing when a listener throws", async () => {
    const { clock, calls, renewer } = setup();
    const reported = jest.fn();
    (renewer as unknown as { onListenerError: (e: unknown) => void }).onListenerError = reported;
    renewer.on("renewed", () => {
      throw new Error("a broken UI");
    });
    renewer.start();
    await clock.advance(3 * MINUTE);
    expect(calls).toHaveLength(3);
    expect(reported).toHaveBeenCalledTimes(3);
    renewer.stop();
  });

  it("pays nothing for a stalled tunnel: holds at the renewal, runs out as stalled", async () => {
    let fresh = true;
    const { clock, start, calls, renewer, named } = setup({ ready: async () => fresh });
    renewer.start();
    await clock.advance(50_000);
    expect(calls).toEqual([start + 50_000]);
    fresh = false;
    // The next renewal is due at 110 s; the tunnel is stale then, so nothing is paid, up to the expiry.
    await clock.advance(70_000);
    expect(calls).toHaveLength(1);
    expect(renewer.holding).toBe(true);
    expect(renewer.nextRenewalAt).toBeNull();
    expect(named("expired")).toEqual([
      expect.objectContaining({ at: start + 2 * MINUTE, payload: expect.objectContaining({ cause: "stalled" }) }),
    ]);
    await clock.advance(5 * MINUTE);
    expect(calls).toHaveLength(1);
  });

  it("holds when told, and resumes paying once the tunnel is fresh again while the lease lives", async () => {
    const { clock, start, calls, renewer, named } = setup();
    renewer.start();
    renewer.hold();
    await clock.advance(55_000);
    expect(calls).toEqual([]);
    // Fresh again five seconds after the renewal fell due: it runs at once.
    renewer.resume();
    await clock.advance(0);
    expect(calls).toEqual([start + 55_000]);
    expect(named("renewed")).toHaveLength(1);
    expect(renewer.nextRenewalAt).toBe(start + 2 * MINUTE - 10_000);
    await clock.advance(MINUTE);
    expect(calls).toHaveLength(2);
    expect(named("expired")).toEqual([]);
    renewer.stop();
  });
});
