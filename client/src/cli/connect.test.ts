// `wg402 connect` and friends against a real chain, the real facilitator and a real agent (FakeDriver), run
// in-process through `run(argv, io)` and, for a few cases, as the real `wg402` binary.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Lease, NodeInfo, UsageReceipt } from "@wg402/shared";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { fetchLease, fetchLeaseSummary } from "../node/nodeApi.ts";
import { jsonLines, runCli, startCli } from "../testing/runCli.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

const BIN = fileURLToPath(new URL("../../bin/wg402.js", import.meta.url));

let stack: TestStack;
let node: RunningAgent;
let fastNode: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent();
  // A 2-second billed minute, so renewals happen within seconds.
  fastNode = await stack.startAgent({ AGENT_SECONDS_PER_MINUTE: "2" });
  dir = await mkdtemp(join(tmpdir(), "wg402-connect-"));
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

/** Resolves once `read()` holds an NDJSON event named `name`. */
async function waitForEvent(read: () => string, name: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = jsonLines(read()).find((e) => e.event === name);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${name}" event in time; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What anyone can read of a lease: its state and expiry. */
const leaseOn = (url: string, id: string) => fetchLeaseSummary(url, id);
/** The lease in full, as its payer. */
const leaseAsPayer = (url: string, id: string, privateKey: string) =>
  fetchLease(url, id, { auth: { account: privateKeyToAccount(privateKey as Hex), chainId: 31337 } });

describe("wg402 connect --driver export", () => {
  it("renews a short lease at least 3 times until the spend cap stops it, then says so", async () => {
    const { env, address, home } = await payerEnv(100_000n);
    const result = await runCli(
      [
        "connect",
        fastNode.url,
        "--driver",
        "export",
        "--minutes",
        "1",
        "--auto-renew",
        "--max-spend",
        "0.004",
        "--no-qr",
        "--status-interval",
        "0.5",
        "--json",
      ],
      { env, signal: new AbortController().signal },
    );
    const events = jsonLines(result.stdout);
    const names = events.map((e) => e.event);
    // What is committed comes first, then the payment, and "connected" only with the node's evidence.
    expect(names.slice(0, 3)).toEqual(["plan", "leased", "connected"]);
    expect(events[0]).toMatchObject({ firstPayment: "1000", cap: "4000", capSource: "explicit" });
    const connected = events[2] as { leaseId: string; amount: string; configPath: string };
    expect(connected).toMatchObject({ link: { state: "connected", evidence: "node" } });
    expect(connected.amount).toBe("1000");
    expect(connected.configPath).toBe(join(home, "tunnels", "wg402-client.conf"));

    const renewed = events.filter((e) => e.event === "renewed");
    expect(renewed.length).toBeGreaterThanOrEqual(3);
    expect(renewed.map((e) => e.renewals)).toEqual([1, 2, 3]);
    expect(renewed.at(-1)).toMatchObject({ spent: "4000", committed: "4000", cap: "4000" });
    // Each renewal extended the lease by one 2-second minute, before it ran out.
    const expiries = renewed.map((e) => Date.parse(e.expiresAt as string));
    for (let i = 1; i < expiries.length; i++) expect((expiries[i] ?? 0) - (expiries[i - 1] ?? 0)).toBe(2_000);

    const capReached = events.find((e) => e.event === "capReached");
    expect(capReached).toMatchObject({ cap: "4000", committed: "4000", needed: "1000" });
    expect(names.indexOf("capReached")).toBeGreaterThan(names.lastIndexOf("renewed"));
    expect(events.find((e) => e.event === "expired")).toMatchObject({ cause: "spend_cap" });
    const closed = events.find((e) => e.event === "closed") as { receipt: unknown };
    expect(UsageReceipt.parse(closed.receipt)).toMatchObject({
      leaseId: connected.leaseId,
      totalPaid: "4000",
      payer: address,
    });

    expect(result.code).toBe(ExitCode.spendCap);
    expect(jsonLines(result.stderr)).toEqual([
      { error: "spend_cap_exceeded", message: expect.stringMatching(/spend cap is reached after 3 renewals/) },
    ]);
    expect(await stack.balanceOf(address)).toBe(100_000n - 4_000n);
    const lease = await leaseAsPayer(fastNode.url, connected.leaseId, env.WG402_PRIVATE_KEY as string);
    expect(lease.payments).toHaveLength(4);
    expect(lease.totalPaid).toBe("4000");
    // The config (with its private key) and the state are gone.
    expect(existsSync(connected.configPath)).toBe(false);
    expect(existsSync(join(home, "state.json"))).toBe(false);
  }, 60_000);

  it("closes the lease on the agent on Ctrl-C", async () => {
    const { env, home } = await payerEnv(100_000n);
    const controller = new AbortController();
    const running = startCli(["connect", node.url, "--driver", "export", "--minutes", "5", "--json"], {
      env,
      signal: controller.signal,
    });
    const connected = (await waitForEvent(running.stdout, "connected")) as { leaseId: string; configPath: string };
    expect((await stat(connected.configPath)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, "state.json"))).toBe(true);
    expect((await leaseOn(node.url, connected.leaseId)).state).toBe("active");

    controller.abort();
    const result = await running.done;
    expect(result.code).toBe(ExitCode.ok);
    const closed = jsonLines(result.stdout).find((e) => e.event === "closed") as { receipt: unknown };
    expect(UsageReceipt.parse(closed.receipt)).toMatchObject({
      leaseId: connected.leaseId,
      state: "closed",
      totalPaid: "5000",
    });
    expect((await leaseOn(node.url, connected.leaseId)).state).toBe("closed");
    expect(await node.driver.listPeers()).toEqual([]);
    expect(existsSync(connected.configPath)).toBe(false);
    expect(existsSync(join(home, "state.json"))).toBe(false);
  });

  it("status, renew and disconnect act on the running session's lease", async () => {
    const { env, address } = await payerEnv(100_000n);
    const controller = new AbortController();
    const running = startCli(
      ["connect", node.url, "--driver", "export", "--minutes", "3", "--no-qr", "--status-interval", "0.2", "--json"],
      { env, signal: controller.signal },
    );
    const connected = (await waitForEvent(running.stdout, "connected")) as { leaseId: string; expiresAt: string };

    const renewed = await runCli(["renew", "--minutes", "2", "--json"], { env });
    expect(renewed.code).toBe(0);
    const renewal = JSON.parse(renewed.stdout) as { lease: Lease; payment: { amount: string; txHash: string } };
    expect(Date.parse(renewal.lease.expiresAt)).toBe(Date.parse(connected.expiresAt) + 2 * 60_000);
    expect(renewal.payment.amount).toBe("2000");

    const status = await runCli(["status", "--json"], { env });
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout) as { lease: Lease; tunnel: { driver: string } };
    expect(shown.lease).toMatchObject({ id: connected.leaseId, state: "active", totalPaid: "5000", payer: address });
    expect(shown.tunnel.driver).toBe("export");
    const text = await runCli(["status"], { env });
    expect(text.stdout).toMatch(new RegExp(`lease ${connected.leaseId} on .*: active, \\d+m\\d\\ds left`));

    const disconnected = await runCli(["disconnect", "--json"], { env });
    expect(disconnected.code).toBe(0);
    const receipt = UsageReceipt.parse((JSON.parse(disconnected.stdout) as { receipt: unknown }).receipt);
    expect(receipt).toMatchObject({ leaseId: connected.leaseId, state: "closed", totalPaid: "5000" });

    // The running connect notices on its next status read and ends without touching anything else.
    const result = await running.done;
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).find((e) => e.event === "expired")).toMatchObject({ cause: "disconnected" });
    expect(await stack.balanceOf(address)).toBe(100_000n - 5_000n);
  });

  it("refuses an insufficient balance before paying anything", async () => {
    const { env, address } = await payerEnv(2_500n);
    const requests: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return fetch(request);
    };
    const result = await runCli(["connect", node.url, "--driver", "export", "--minutes", "3"], {
      env,
      fetch: recording,
    });
    expect(result.code).toBe(ExitCode.funds);
    expect(result.stderr).toBe(
      `wg402: insufficient balance: this costs 0.003 tUSD but ${address} holds 0.0025 tUSD (\`wg402 faucet\` gives test tokens)\n`,
    );
    expect(requests).toEqual(["GET /"]);
    expect(await stack.balanceOf(address)).toBe(2_500n);
  });

  it("refuses a node that sells without asking for payment, having signed nothing", async () => {
    const info = NodeInfo.parse(await (await fetch(`${node.url}/`)).json());
    const seen: { url: string; paid: boolean }[] = [];
    const fake = createServer((req, res) => {
      seen.push({ url: `${req.method} ${req.url}`, paid: req.headers["payment-signature"] !== undefined });
      if (req.method === "GET") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(info));
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const { env, address } = await payerEnv(100_000n);
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const result = await runCli(["connect", url, "--driver", "export", "--minutes", "3"], { env });
      expect(result.code).toBe(ExitCode.payment);
      expect(result.stderr).toMatch(/answered HTTP 200 without asking for payment/);
      expect(seen.filter((s) => s.paid)).toEqual([]);
      expect(await stack.balanceOf(address)).toBe(100_000n);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe("the wg402 binary", () => {
  const spawnBin = (args: string[], env: Record<string, string>): ChildProcess =>
    spawn(BIN, args, {
      env: { ...process.env, ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const collect = (child: ChildProcess) => {
    const out = { stdout: "", stderr: "" };
    child.stdout?.on("data", (chunk: Buffer) => (out.stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (out.stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    return { out, exited };
  };

  it("prints node info as JSON, and one clean sentence for bad input", async () => {
    const info = collect(spawnBin(["node", "info", node.url, "--json"], {}));
    expect(await info.exited).toBe(0);
    const printed = JSON.parse(info.out.stdout);
    expect(NodeInfo.parse(printed)).toMatchObject({ pricePerMinute: "1000" });
    // The node answered a fresh challenge with the key it advertises.
    expect(printed.identity).toMatchObject({ verdict: "verified", signer: printed.offerSigner });

    const bad = collect(spawnBin(["quote", "http://127.0.0.1:1/x?y", "--minutes", "2"], {}));
    expect(await bad.exited).toBe(ExitCode.usage);
    expect(bad.out.stderr).toBe("wg402: the node URL must not carry credentials, a query or a fragment\n");
  });

  it("closes the lease when the process gets SIGINT", async () => {
    const { env } = await payerEnv(100_000n);
    const child = spawnBin(["connect", node.url, "--driver", "export", "--minutes", "4", "--json"], env);
    const { out, exited } = collect(child);
    try {
      const connected = (await waitForEvent(() => out.stdout, "connected")) as { leaseId: string };
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect((await leaseOn(node.url, connected.leaseId)).state).toBe("closed");
      expect(jsonLines(out.stdout).at(-1)).toMatchObject({ event: "closed", leaseId: connected.leaseId });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
