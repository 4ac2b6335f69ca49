// What `wg402 connect` says before and after it pays, against a real chain, the real facilitator and real
// agents (FakeDriver): the plan with its default spend cap comes before any payment, `--max-spend none` is
// the only way to no cap, a tunnel that never handshakes is given up with what it cost, Ctrl-C while
// waiting closes what was paid, and a renewal made elsewhere is followed at once.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lease } from "@wg402/shared";
import type { Hex } from "viem";
import { fetchLeaseSummary } from "../node/nodeApi.ts";
import { jsonLines, runCli, startCli } from "../testing/runCli.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

let stack: TestStack;
let node: RunningAgent;
let silent: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent();
  // Its peers never handshake: a tunnel whose UDP goes nowhere.
  silent = await stack.startAgent({}, { handshakes: false });
  dir = await mkdtemp(join(tmpdir(), "wg402-connect-truth-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let homes = 0;
async function payerEnv(amount: bigint): Promise<{ env: Record<string, string>; address: Hex; home: string }> {
  const wallet = await stack.fundedWallet(amount);
  const home = join(dir, `home-${homes++}`);
  return {
    env: { ...stack.env, WG402_HOME: home, WG402_PRIVATE_KEY: wallet.privateKey },
    address: wallet.address,
    home,
  };
}

async function waitForEvent(read: () => string, name: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = jsonLines(read()).find((e) => e.event === name);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${name}" event in time; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("wg402 connect tells the truth", () => {
  it("shows the plan with the default cap of one hour before paying, in JSON and in words", async () => {
    const { env } = await payerEnv(100_000n);
    const controller = new AbortController();
    const running = startCli(["connect", node.url, "--driver", "export", "--minutes", "5", "--no-qr", "--json"], {
      env,
      signal: controller.signal,
    });
    await waitForEvent(running.stdout, "connected");
    controller.abort();
    const result = await running.done;
    expect(result.code).toBe(ExitCode.ok);
    const events = jsonLines(result.stdout);
    expect(events.map((e) => e.event).slice(0, 3)).toEqual(["plan", "leased", "connected"]);
    // 60 billed minutes of 1,000 base units, the first purchase being shorter than an hour.
    expect(events[0]).toEqual(
      expect.objectContaining({
        event: "plan",
        minutes: 5,
        pricePerMinute: "1000",
        firstPayment: "5000",
        cap: "60000",
        capSource: "default",
        capMinutes: 60,
        refundsUnusedTime: false,
        scheme: "exact",
        handshakeTimeoutMs: 120_000,
      }),
    );
    // Closing early forfeits prepaid time, and says so.
    const closed = events.find((e) => e.event === "closed") as { unusedSeconds: number; unusedAmount: string };
    expect(closed.unusedSeconds).toBeGreaterThan(280);
    expect(BigInt(closed.unusedAmount)).toBeGreaterThan(4_600n);

    const text = await runCli(["connect", node.url, "--driver", "export", "--minutes", "5", "--no-qr"], {
      env: (await payerEnv(100_000n)).env,
      signal: AbortSignal.timeout(3_000),
    });
    expect(text.stdout).toMatch(/first payment 0\.005 tUSD for 5 minutes/);
    expect(text.stdout).toMatch(/spend cap 0\.06 tUSD \(60 minutes\): the default, one hour at this node's price/);
    expect(text.stdout).toMatch(/prepaid minutes are not refunded if you disconnect early/);
    expect(text.stdout).toMatch(/of prepaid time \(0\.00\d+ tUSD\) is not refunded/);
    expect(text.stdout.indexOf("first payment")).toBeLessThan(text.stdout.indexOf("paid 0.005 tUSD"));
  });

  it("takes --max-spend none as the explicit choice of no cap, and never caps below the first purchase", async () => {
    const { env } = await payerEnv(200_000n);
    const byDefault = await runCli(["connect", node.url, "--driver", "export", "--minutes", "2", "--no-qr", "--json"], {
      env,
      signal: AbortSignal.timeout(2_000),
    });
    expect(jsonLines(byDefault.stdout)[0]).toMatchObject({ event: "plan", cap: "60000", capSource: "default" });
    const uncapped = await runCli(
      ["connect", node.url, "--driver", "export", "--minutes", "2", "--no-qr", "--max-spend", "none", "--json"],
      { env: (await payerEnv(200_000n)).env, signal: AbortSignal.timeout(2_000) },
    );
    expect(jsonLines(uncapped.stdout)[0]).toMatchObject({ event: "plan", cap: null, capSource: "none" });
    // Longer than an hour up front: the default cap is that purchase, not less.
    const long = await runCli(["connect", node.url, "--driver", "export", "--minutes", "90", "--no-qr", "--json"], {
      env: (await payerEnv(200_000n)).env,
      signal: AbortSignal.timeout(2_000),
    });
    expect(jsonLines(long.stdout)[0]).toMatchObject({ event: "plan", firstPayment: "90000", cap: "90000" });
  });

  it("gives up on a tunnel that never handshakes: closes the lease, pays nothing more, says what it cost", async () => {
    const { env, address, home } = await payerEnv(100_000n);
    const started = Date.now();
    const result = await runCli(
      [
        "connect",
        silent.url,
        "--driver",
        "export",
        "--minutes",
        "3",
        "--auto-renew",
        "--handshake-timeout",
        "1.5",
        "--no-qr",
        "--json",
      ],
      { env },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(ExitCode.tunnel);
    const events = jsonLines(result.stdout);
    expect(events.map((e) => e.event)).toEqual(["plan", "leased", "closed"]);
    const leaseId = events[1]?.leaseId as string;
    expect(jsonLines(result.stderr)).toEqual([
      {
        error: "no_handshake",
        message: expect.stringMatching(
          /^no handshake from the node within 1\.5 s: it saw none from your WireGuard app .*; lease lease_\w+ is closed; 0\.003 tUSD was paid for it and is not refunded/,
        ),
      },
    ]);
    expect((await fetchLeaseSummary(silent.url, leaseId)).state).toBe("closed");
    expect(await stack.balanceOf(address)).toBe(100_000n - 3_000n);
    expect(existsSync(join(home, "state.json"))).toBe(false);
    expect(existsSync(join(home, "tunnels", "wg402-client.conf"))).toBe(false);
  });

  it("closes what was paid when Ctrl-C comes while it waits for the handshake", async () => {
    const { env, address } = await payerEnv(100_000n);
    const controller = new AbortController();
    const running = startCli(["connect", silent.url, "--driver", "export", "--minutes", "2", "--no-qr", "--json"], {
      env,
      signal: controller.signal,
    });
    const leased = await waitForEvent(running.stdout, "leased");
    controller.abort();
    const result = await running.done;
    expect(result.code).toBe(ExitCode.ok);
    expect(jsonLines(result.stdout).map((e) => e.event)).toEqual(["plan", "leased", "closed"]);
    expect((await fetchLeaseSummary(silent.url, leased.leaseId as string)).state).toBe("closed");
    expect(await stack.balanceOf(address)).toBe(100_000n - 2_000n);
  });

  it("follows a renewal made by `wg402 renew` at once, with the new expiry and the next renewal", async () => {
    const { env } = await payerEnv(100_000n);
    const controller = new AbortController();
    const running = startCli(
      ["connect", node.url, "--driver", "export", "--minutes", "3", "--auto-renew", "--status-interval", "0.2"].concat([
        "--no-qr",
        "--json",
      ]),
      { env, signal: controller.signal },
    );
    await waitForEvent(running.stdout, "connected");
    const renewed = await runCli(["renew", "--minutes", "2", "--json"], { env });
    expect(renewed.code).toBe(0);
    const { lease } = JSON.parse(renewed.stdout) as { lease: Lease };
    const extended = await waitForEvent(running.stdout, "extended", 5_000);
    expect(extended).toMatchObject({ leaseId: lease.id, expiresAt: lease.expiresAt });
    // The renewer's margin is its 10 s floor: the next renewal moved with the new expiry.
    expect(Date.parse(extended.nextRenewalAt as string)).toBe(Date.parse(lease.expiresAt) - 10_000);
    controller.abort();
    expect((await running.done).code).toBe(ExitCode.ok);
  });
});
