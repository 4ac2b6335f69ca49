// Data leases through real tunnels: the real `wg402` CLI in one network namespace, a real agent process selling
// megabytes (wireguard-go) in another, a real chain and facilitator. iperf3 runs through a 5 MB allowance at
// 100 Mbit/s and the node cuts it within the overshoot goal, its bytes matching the client's; a hybrid lease
// ends at whichever limit comes first; a channel-paid data lease renews by data under sustained traffic with
// no lost ping and is charged the bytes it moved, to the block. Skips with the reason where root is missing.
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentProcess } from "@wg402/agent";
import { dataCostOf, UsageReceipt } from "@wg402/shared";
import {
  createNetnsPair,
  describeOrSkip,
  execIn,
  type NetnsPair,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { generatePrivateKey } from "viem/accounts";
import { type CliProcess, spawnCli, waitForEvent } from "./cliProcess.ts";
import { type PaidStack, startPaidStack } from "./support.ts";
import { agentPeersIn, cleanUpTunnelTest, pingsFrom, startTunnelNode, tunnelPayer } from "./tunnelNode.ts";

const MB = 1_000_000;
const PRICE_PER_MB = 20_000n;
const BLOCK = 100_000;
const SECONDS_PER_MINUTE = 2;
const FUNDS = 5_000_000n;
const skip = await userspaceSkipReason({ needWg: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeOrSkip(skip, "data leases through a real tunnel", () => {
  let dir: string;
  let stack: PaidStack;
  let pair: NetnsPair;
  let agent: AgentProcess | undefined;
  let stackFile: string;
  const agentIface = uniqueName("wgn");
  const subnet = `10.67.${randomInt(1, 250)}`;
  const gateway = `${subnet}.1`;
  const clientIfaces: string[] = [];
  const servers: ChildProcess[] = [];

  async function startNode(extra: Record<string, string> = {}) {
    await agent?.stop();
    agent = await startTunnelNode({
      ...{ stack, dir, pair, iface: agentIface, subnet, stackFile },
      env: {
        AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
        AGENT_PRICE_PER_MB: PRICE_PER_MB.toString(),
        ...extra,
      },
    });
  }

  let homes = 0;
  const payer = () => tunnelPayer(stack, { dir, stackFile, funds: FUNDS, home: `home-${homes++}` });

  function connect(env: Record<string, string>, args: string[]): CliProcess {
    const iface = uniqueName("wgc");
    clientIfaces.push(iface);
    return spawnCli(
      [
        "connect",
        agent?.url ?? "",
        "--json",
        "--driver",
        "userspace",
        "--netns",
        pair.b,
        "--interface",
        iface,
        "--status-interval",
        "1",
        ...args,
      ],
      env,
    );
  }

  /** iperf3 from the client's namespace to the node's tunnel address; resolves when it ends or is cut off. */
  async function iperf(seconds: number, bitrate?: string): Promise<void> {
    const port = String(randomInt(20_000, 60_000));
    const server = spawn("ip", ["netns", "exec", pair.a, "iperf3", "-s", "-1", "-B", gateway, "-p", port], {
      stdio: "ignore",
    });
    servers.push(server);
    await sleep(300);
    const args = ["-c", gateway, "-p", port, "-t", String(seconds), "--connect-timeout", "3000"];
    await execIn(pair.b, "iperf3", [...args, ...(bitrate ? ["-b", bitrate] : [])], {
      timeoutMs: (seconds + 8) * 1000,
    }).catch(() => undefined);
    server.kill("SIGKILL");
  }
  const pings = (count: number) => pingsFrom(pair.b, gateway, count);
  const agentPeers = () => agentPeersIn(pair.a, agentIface);
  async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
  const closedReceipt = async (run: CliProcess) => {
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    const closed = await waitForEvent(run, "closed");
    return { closed, receipt: UsageReceipt.parse(closed.receipt) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-data-tunnel-"));
    stackFile = join(dir, "local.json");
    stack = await startPaidStack(dir);
    pair = await createNetnsPair({ prefix: "wgd" });
    await startNode();
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) server.kill("SIGKILL");
    await cleanUpTunnelTest({ agent, pair, clientIfaces, stack, dir });
  });

  it("cuts a 5 MB allowance under iperf3 at 100 Mbit/s within 2 MB, and its bytes match the client's", async () => {
    const { env, address } = await payer();
    const run = connect(env, ["--mb", "5"]);
    try {
      const plan = await waitForEvent(run, "plan");
      expect(plan).toMatchObject({ scheme: "exact", amount: (5n * PRICE_PER_MB).toString() });
      const connected = await waitForEvent(run, "connected");
      expect(await stack.balanceOf(address)).toBe(FUNDS - 5n * PRICE_PER_MB);
      await iperf(10, "100M");
      await until("the cut", async () => (await agentPeers()).length === 0);
      await waitForEvent(run, "expired", 1, 15_000);
      const { closed, receipt } = await closedReceipt(run);
      expect(receipt.leaseId).toBe(connected.leaseId);
      const moved = receipt.bytesUp + receipt.bytesDown;
      // The allowance was used, and passed by no more than the goal at 100 Mbit/s.
      expect(moved).toBeGreaterThanOrEqual(5 * MB);
      expect(moved - 5 * MB).toBeLessThanOrEqual(2 * MB);
      // Charged exactly the 5 MB bought, up front; the node's bytes agree with this machine's counters.
      expect(receipt.totalPaid).toBe((5n * PRICE_PER_MB).toString());
      expect(receipt.payments.map((p) => p.megabytes)).toEqual([5]);
      expect(closed.receiptCheck).toMatchObject({ signature: "valid", ok: true });
      expect(await stack.balanceOf(address)).toBe(FUNDS - 5n * PRICE_PER_MB);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 120_000);

  it("a hybrid lease ends at its time with data left, and at its data with time left", async () => {
    const timeFirst = await payer();
    const byTime = connect(timeFirst.env, ["--minutes", "2", "--mb", "100"]);
    try {
      const connected = await waitForEvent(byTime, "connected");
      expect(await pings(5)).toBe(5);
      const expired = await waitForEvent(byTime, "expired", 1, 15_000);
      // Two 2-second minutes from its start, with almost all of its 100 MB unused.
      expect(Date.parse(String(expired.expiresAt))).toBe(Date.parse(String(connected.expiresAt)));
      const { receipt } = await closedReceipt(byTime);
      expect(receipt.bytesUp + receipt.bytesDown).toBeLessThan(MB);
      expect(receipt.secondsUsed).toBeGreaterThanOrEqual(3);
    } finally {
      byTime.child.kill("SIGKILL");
    }

    const dataFirst = await payer();
    const byData = connect(dataFirst.env, ["--minutes", "60", "--mb", "2"]);
    try {
      const connected = await waitForEvent(byData, "connected");
      await iperf(10, "50M");
      await until("the cut", async () => (await agentPeers()).length === 0);
      const expired = await waitForEvent(byData, "expired", 1, 15_000);
      // Cut long before its 60 two-second minutes: the data ran out first, and the session says when.
      expect(Date.parse(String(expired.expiresAt))).toBeLessThan(Date.parse(String(connected.expiresAt)) - 60_000);
      const { receipt } = await closedReceipt(byData);
      expect(Date.parse(receipt.endedAt) - Date.parse(receipt.startedAt)).toBeLessThan(60_000);
      expect(receipt.bytesUp + receipt.bytesDown).toBeGreaterThanOrEqual(2 * MB);
      expect(receipt.totalPaid).toBe((60n * 1_000n + 2n * PRICE_PER_MB).toString());
    } finally {
      byData.child.kill("SIGKILL");
    }
  }, 120_000);

  it("a channel-paid data lease renews by data under sustained traffic with no lost ping, charged to the block", async () => {
    await startNode({ AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey() });
    const { env, address } = await payer();
    const run = connect(env, ["--mb", "2", "--auto-renew"]);
    try {
      expect(await waitForEvent(run, "plan")).toMatchObject({ scheme: "batch-settlement" });
      await waitForEvent(run, "connected");
      // ~20 Mbit/s for 8 s (about 20 MB through 2 MB allowances) beside a 10 Hz ping.
      const [received] = await Promise.all([pings(80), iperf(8, "20M")]);
      expect(received).toBe(80);
      const renewals = run.events.filter((e) => e.event === "dataRenewed");
      expect(renewals.length).toBeGreaterThanOrEqual(5);
      for (const renewal of renewals) expect(renewal).toMatchObject({ megabytes: 2, txHash: null });
      expect(await agentPeers()).toHaveLength(1);
      const { closed, receipt } = await closedReceipt(run);
      const moved = receipt.bytesUp + receipt.bytesDown;
      // The bytes moved, to the 0.1 MB block, at the MB price: never the allowances bought.
      const charged = dataCostOf(PRICE_PER_MB, BLOCK, moved);
      expect(receipt.channel?.charged).toBe(charged.toString());
      expect(BigInt(receipt.totalPaid)).toBeGreaterThan(charged);
      expect(closed.receiptCheck).toMatchObject({ signature: "valid", ok: true });
      // The refund left the wallet short of exactly that charge.
      expect(await stack.balanceOf(address)).toBe(FUNDS - charged);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 150_000);
});
