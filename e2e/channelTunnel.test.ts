// Paying by escrow channel through real tunnels: the real `wg402` CLI in one network namespace, a real agent
// process with AGENT_CHANNEL=on and a wireguard-go interface in another, a real local chain and facilitator.
// A session renews by voucher under a 10 Hz ping with no loss and no chain transaction, is charged its seconds
// at disconnect, and a reconnect uses the same deposit; a client killed mid-session is charged its last ceiling
// and its tunnel ends at the granted time; a payer's withdrawal mid-session stops sales on the channel, the node
// claims first, and finalize returns exactly balance − claimed. Skips with the reason where root is missing.
import { randomInt } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { AgentProcess } from "@wg402/agent";
import { canonicalEscrowAddresses, LeaseSummary, UsageReceipt, x402BatchSettlementAbi } from "@wg402/shared";
import {
  createNetnsPair,
  describeOrSkip,
  type NetnsPair,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { type CliProcess, spawnCli, waitForEvent } from "./cliProcess.ts";
import { type PaidStack, startPaidStack } from "./support.ts";
import { agentPeersIn, cleanUpTunnelTest, pingsFrom, startTunnelNode, tunnelPayer } from "./tunnelNode.ts";

const SECONDS_PER_MINUTE = 2;
const PRICE = 1_000n; // the stack's price per billed minute, in base units
const PER_SECOND = Number(PRICE) / SECONDS_PER_MINUTE;
const CAP = PRICE * BigInt(3600 / SECONDS_PER_MINUTE); // the default cap: one hour at the node's price
const FUNDS = 5_000_000n;
const skip = await userspaceSkipReason({ needWg: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeOrSkip(skip, "paying by channel through a real tunnel", () => {
  let dir: string;
  let stack: PaidStack;
  let pair: NetnsPair;
  let agent: AgentProcess | undefined;
  let stackFile: string;
  const agentIface = uniqueName("wgn");
  const octet = randomInt(1, 250);
  const gateway = `10.69.${octet}.1`;
  const authorizerKey = generatePrivateKey();
  const clientIfaces: string[] = [];

  /** (Re)starts the node on the same ledger and key, with `extra` on top of the channel settings. */
  async function startNode(extra: Record<string, string> = {}) {
    await agent?.stop();
    agent = await startTunnelNode({
      ...{ stack, dir, pair, iface: agentIface, subnet: `10.69.${octet}`, stackFile },
      env: {
        AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
        AGENT_PRICE_PER_MINUTE: PRICE.toString(),
        AGENT_CHANNEL: "on",
        AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: authorizerKey,
        AGENT_CHANNEL_WITHDRAW_WATCH_SECONDS: "1",
        ...extra,
      },
    });
    return agent;
  }

  let homes = 0;
  const payer = () => tunnelPayer(stack, { dir, stackFile, funds: FUNDS, home: `home-${homes++}` });

  function connect(env: Record<string, string>, args: string[] = []) {
    const iface = uniqueName("wgc");
    clientIfaces.push(iface);
    const run = spawnCli(
      [
        "connect",
        agent?.url ?? "",
        "--json",
        "--minutes",
        "1",
        "--driver",
        "userspace",
        "--netns",
        pair.b,
        "--interface",
        iface,
        ...args,
      ],
      env,
    );
    return { run, iface };
  }

  const blockNumber = () => stack.publicClient.getBlockNumber();
  const agentPeers = () => agentPeersIn(pair.a, agentIface);
  const pings = (count: number) => pingsFrom(pair.b, gateway, count);
  const escrowChannel = async (channelId: string) => {
    const [balance, totalClaimed] = await stack.publicClient.readContract({
      address: canonicalEscrowAddresses.batchSettlement as Hex,
      abi: x402BatchSettlementAbi,
      functionName: "channels",
      args: [channelId as Hex],
    });
    return { balance, totalClaimed };
  };
  /** The channel as the node's ledger has it: what it charged and the last ceiling the payer signed. */
  const nodeChannel = (channelId: string) => {
    const db = new DatabaseSync(join(dir, "agent.sqlite"), { readOnly: true });
    try {
      const row = db
        .prepare("SELECT charged_cumulative, signed_max_claimable FROM channels WHERE channel_id = ?")
        .get(channelId.toLowerCase()) as { charged_cumulative: string; signed_max_claimable: string };
      return { charged: BigInt(row.charged_cumulative), ceiling: BigInt(row.signed_max_claimable) };
    } finally {
      db.close();
    }
  };
  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await sleep(100);
    }
  }
  /** The charge the node's receipt states, beside the time the receipt says the lease ran. */
  const chargedAgainstTime = (closed: Record<string, unknown>) => {
    const receipt = UsageReceipt.parse(closed.receipt);
    const ms = Date.parse(receipt.endedAt) - Date.parse(receipt.startedAt);
    const charged = BigInt(receipt.channel?.charged ?? -1);
    return { charged, offBySeconds: Math.abs(Number(charged) - (ms / 1000) * PER_SECOND) / PER_SECOND };
  };
  const stopped = async (run: CliProcess, signal: NodeJS.Signals) => {
    run.child.kill(signal);
    return run.exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-channel-tunnel-"));
    stackFile = join(dir, "local.json");
    stack = await startPaidStack(dir);
    pair = await createNetnsPair({ prefix: "wgh" });
    await startNode();
  }, 120_000);

  afterAll(async () => {
    await cleanUpTunnelTest({ agent, pair, clientIfaces, stack, dir });
  });

  it("renews ≥ 5 times under a 10 Hz ping with no loss and no transaction, bills the seconds, and a reconnect reuses the deposit", async () => {
    const { env, address } = await payer();
    const first = connect(env, ["--auto-renew", "--keep-deposit"]);
    let channelId = "";
    let charged1 = 0n;
    let depositBlock = 0n;
    try {
      const plan = await waitForEvent(first.run, "plan");
      expect(plan).toMatchObject({ scheme: "batch-settlement", channel: { deposit: CAP.toString() } });
      channelId = (plan.channel as { channelId: string }).channelId;
      await waitForEvent(first.run, "connected");
      depositBlock = await blockNumber();
      expect(await stack.balanceOf(address)).toBe(FUNDS - CAP);

      // 130 packets at 10 Hz (13 s) span more than six 2-second minutes.
      expect(await pings(130)).toBe(130);
      await waitForEvent(first.run, "renewed", 5);
      for (const renewed of first.run.events.filter((e) => e.event === "renewed")) {
        expect(renewed).toMatchObject({ txHash: null });
      }
      expect(await blockNumber()).toBe(depositBlock);

      expect(await stopped(first.run, "SIGINT")).toBe(0);
      const closed = await waitForEvent(first.run, "closed");
      expect(closed.channel).toMatchObject({ channelId, depositKept: true, refundTx: null });
      const billed = chargedAgainstTime(closed);
      expect(billed.offBySeconds).toBeLessThanOrEqual(1);
      charged1 = billed.charged;
      // Kept: no refund transaction, the deposit is still in the escrow.
      expect(await blockNumber()).toBe(depositBlock);
      expect(await agentPeers()).toEqual([]);
    } finally {
      first.run.child.kill("SIGKILL");
    }

    const again = connect(env, ["--auto-renew"]);
    try {
      const plan = await waitForEvent(again.run, "plan");
      expect(plan).toMatchObject({ channel: { channelId, deposit: "0" } });
      await waitForEvent(again.run, "connected");
      expect(await pings(20)).toBe(20);
      // Still no transaction since the one deposit.
      expect(await blockNumber()).toBe(depositBlock);

      expect(await stopped(again.run, "SIGINT")).toBe(0);
      const closed = await waitForEvent(again.run, "closed");
      const billed = chargedAgainstTime(closed);
      expect(billed.offBySeconds).toBeLessThanOrEqual(1);
      const channel = closed.channel as { refunded: string; refundTx: Hex };
      const both = charged1 + billed.charged;
      expect(BigInt(channel.refunded)).toBe(CAP - both);
      const refund = await stack.publicClient.getTransactionReceipt({ hash: channel.refundTx });
      expect(refund.status).toBe("success");
      // The refund is the only transaction since the deposit.
      expect(refund.blockNumber).toBe(depositBlock + 1n);
      expect(await blockNumber()).toBe(depositBlock + 1n);
      // Each transfer bought what it paid for: the wallet lost exactly the two sessions' seconds.
      expect(await stack.balanceOf(address)).toBe(FUNDS - both);
    } finally {
      again.run.child.kill("SIGKILL");
    }
  }, 150_000);

  it("a client killed mid-session is charged its last ceiling, claimed on-chain, and its tunnel ends at the granted time", async () => {
    await startNode({ AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS: "1", AGENT_CHANNEL_CLAIM_THRESHOLD: "1" });
    const { env, address } = await payer();
    const { run } = connect(env, ["--auto-renew"]);
    let leaseId = "";
    let channelId = "";
    try {
      const plan = await waitForEvent(run, "plan");
      channelId = (plan.channel as { channelId: string }).channelId;
      leaseId = String((await waitForEvent(run, "connected")).leaseId);
      await waitForEvent(run, "renewed", 2);
    } finally {
      await stopped(run, "SIGKILL");
    }
    // Whatever renewal was in flight at the kill, the node's own expiry is the time it granted.
    const { expiresAt } = LeaseSummary.parse(await (await fetch(`${agent?.url}/lease/${leaseId}`)).json());
    const expiry = Date.parse(expiresAt as string);
    // The client's tunnel outlived its process (the kill switch holds it): it works until the node's expiry…
    if (expiry - Date.now() > 600) expect(await pings(3)).toBe(3);
    // …and not after: the node took the peer out at the time it was paid for.
    await sleep(Math.max(0, expiry - Date.now()) + 1_500);
    expect(await agentPeers()).toEqual([]);
    expect(await pings(5)).toBe(0);

    // Charged the whole granted time, which the last voucher's ceiling covers, and claimed on-chain.
    const node = await until(
      async () => nodeChannel(channelId),
      (c) => c.charged === c.ceiling,
    );
    expect(node.charged).toBe(node.ceiling);
    const escrow = await until(
      () => escrowChannel(channelId),
      (c) => c.totalClaimed === node.ceiling,
    );
    expect(escrow.totalClaimed).toBe(node.ceiling);
    expect(escrow.balance).toBe(CAP);
    // Nothing more than the ceiling left the wallet: the rest waits in the escrow for a refund.
    expect(await stack.balanceOf(address)).toBe(FUNDS - CAP);
  }, 120_000);

  it("a payer's withdrawal mid-session: the node stops selling, claims before finalize, and finalize returns balance − claimed", async () => {
    await startNode();
    const { env, address } = await payer();
    const gas = stack.publicClient as unknown as {
      request: (a: { method: string; params: unknown[] }) => Promise<unknown>;
    };
    await gas.request({ method: "hardhat_setBalance", params: [address, "0xDE0B6B3A7640000"] });
    const { run } = connect(env, ["--auto-renew", "--keep-deposit"]);
    let channelId = "";
    let leaseId = "";
    try {
      const plan = await waitForEvent(run, "plan");
      channelId = (plan.channel as { channelId: string }).channelId;
      leaseId = String((await waitForEvent(run, "connected")).leaseId);
      await waitForEvent(run, "renewed", 2);

      const withdraw = spawnCli(["channel", "withdraw", channelId, "--json"], env);
      expect(await withdraw.exited).toBe(0);
      const started = withdraw.events[0] as { amount: string; finalizableAt: string };
      expect(BigInt(started.amount)).toBe(CAP);

      // The node sees it, refuses the next renewal, and the session runs out the time already paid for.
      const refused = await waitForEvent(run, "renewalFailed", 1, 30_000);
      expect(refused).toMatchObject({ code: "channel_closing" });
      const expired = await waitForEvent(run, "expired", 1, 30_000);
      expect(await agentPeers()).toEqual([]);
      const { expiresAt } = LeaseSummary.parse(await (await fetch(`${agent?.url}/lease/${leaseId}`)).json());
      expect(Date.parse(expiresAt as string)).toBe(Date.parse(String(expired.expiresAt)));

      // Claimed at once, all the time granted, long before finalize is possible.
      const node = nodeChannel(channelId);
      expect(node.charged).toBe(node.ceiling);
      const claimed = await until(
        () => escrowChannel(channelId),
        (c) => c.totalClaimed === node.ceiling,
      );
      expect(claimed.totalClaimed).toBe(node.ceiling);
      expect(Date.now()).toBeLessThan(Date.parse(started.finalizableAt));

      const finalizableAt = Date.parse(started.finalizableAt);
      await gas.request({ method: "evm_increaseTime", params: [Math.ceil((finalizableAt - Date.now()) / 1000) + 60] });
      await gas.request({ method: "evm_mine", params: [] });
      const before = await stack.balanceOf(address);
      const finalize = spawnCli(["channel", "withdraw", channelId, "--finalize", "--json"], env);
      expect(await finalize.exited).toBe(0);
      const withdrawn = BigInt((finalize.events[0] as { withdrawn: string }).withdrawn);
      expect(withdrawn).toBe(claimed.balance - claimed.totalClaimed);
      expect(await stack.balanceOf(address)).toBe(before + withdrawn);
      // In all: the payer paid exactly what the node claimed for the time it granted.
      expect(await stack.balanceOf(address)).toBe(FUNDS - node.ceiling);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 150_000);
});
