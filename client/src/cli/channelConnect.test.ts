// `wg402 connect` paying by escrow channel, as the real binary in its own process, against a real local chain,
// the real facilitator and a real agent with AGENT_CHANNEL=on: the plan before signing, renewals with no chain
// transaction, the close billed to the second, the refund on-chain, and a `kill -9` of the CLI mid-session.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { fetchLeaseSummary } from "../node/nodeApi.ts";
import { jsonLines } from "../testing/runCli.ts";
import { PRICE_PER_MINUTE, type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";

const BIN = fileURLToPath(new URL("../../bin/wg402.js", import.meta.url));
// A 2-second billed minute: renewals come every 2 s. One second of price is half a minute's.
const SECONDS_PER_MINUTE = 2;
const PER_SECOND = Number(PRICE_PER_MINUTE) / SECONDS_PER_MINUTE;
const FUNDS = 5_000_000n;

let stack: TestStack;
let node: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent({
    AGENT_CHANNEL: "on",
    AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey(),
    AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
  });
  dir = await mkdtemp(join(tmpdir(), "wg402-channel-cli-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let homes = 0;
async function payerEnv() {
  const wallet = await stack.fundedWallet(FUNDS);
  const env = { ...stack.env, WG402_HOME: join(dir, `home-${homes++}`), WG402_PRIVATE_KEY: wallet.privateKey };
  return { env, address: wallet.address as Hex };
}

function spawnBin(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(BIN, args, {
    env: { ...process.env, ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, out, exited };
}

async function waitFor(read: () => string, name: string, count = 1, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = jsonLines(read()).filter((e) => e.event === name);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`fewer than ${count} "${name}" events in time; output:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Closed = {
  receipt: { secondsUsed: number };
  channel: {
    channelId: string;
    charged: string;
    refunded: string;
    refundTx: Hex;
    secondsUsed: number;
    depositKept?: boolean;
  };
};

describe("wg402 connect by channel", () => {
  it("shows the deposit before signing, renews with no transaction, and at Ctrl-C is charged the seconds used and refunded the rest", async () => {
    const { env, address } = await payerEnv();
    const run = spawnBin(["connect", node.url, "--driver", "export", "--minutes", "1", "--auto-renew", "--json"], env);
    try {
      const [plan] = (await waitFor(() => run.out.stdout, "plan")) as [Record<string, unknown>];
      const cap = PRICE_PER_MINUTE * BigInt(3600 / SECONDS_PER_MINUTE);
      expect(plan).toMatchObject({
        scheme: "batch-settlement",
        refundsUnusedTime: true,
        pricePerMinute: PRICE_PER_MINUTE.toString(),
        channel: { deposit: cap.toString(), gasPaidBy: "facilitator", facilitatorFee: "0", balance: "0" },
      });
      expect((plan.channel as { refundRule: string }).refundRule).toMatch(/unused deposit comes back at disconnect/);
      await waitFor(() => run.out.stdout, "connected");
      const block = await stack.publicClient.getBlockNumber();
      const renewed = await waitFor(() => run.out.stdout, "renewed", 3);
      for (const r of renewed) expect(r).toMatchObject({ txHash: null });
      expect(await stack.publicClient.getBlockNumber()).toBe(block);
      expect(await stack.balanceOf(address)).toBe(FUNDS - cap);

      run.child.kill("SIGINT");
      expect(await run.exited).toBe(0);
      const [closed] = (await waitFor(() => run.out.stdout, "closed")) as unknown as [Closed];
      const charged = BigInt(closed.channel.charged);
      // The receipt's seconds are whole (floored), so the time used lies in [s, s + 1): charged must be within
      // 1 s of price of some moment in it.
      const s = closed.receipt.secondsUsed;
      expect(Number(charged)).toBeGreaterThanOrEqual((s - 1) * PER_SECOND);
      expect(Number(charged)).toBeLessThanOrEqual((s + 2) * PER_SECOND);
      expect(BigInt(closed.channel.refunded)).toBe(cap - charged);
      const receipt = await stack.publicClient.getTransactionReceipt({ hash: closed.channel.refundTx });
      expect(receipt.status).toBe("success");
      expect(await stack.balanceOf(address)).toBe(FUNDS - charged);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 90_000);

  it("after kill -9 of the CLI mid-session, `wg402 disconnect` closes the lease and gets the deposit back; a new connect reuses the channel", async () => {
    const { env, address } = await payerEnv();
    const first = spawnBin(
      ["connect", node.url, "--driver", "export", "--minutes", "1", "--auto-renew", "--json"],
      env,
    );
    let leaseId = "";
    let channelId = "";
    try {
      const [connected] = await waitFor(() => first.out.stdout, "connected");
      leaseId = String(connected?.leaseId);
      await waitFor(() => first.out.stdout, "renewed", 2);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.exited;

    const off = spawnBin(["disconnect", "--json"], env);
    expect(await off.exited).toBe(0);
    const result = JSON.parse(off.out.stdout) as Closed;
    expect((await fetchLeaseSummary(node.url, leaseId)).state).toBe("closed");
    channelId = result.channel.channelId;
    const charged = BigInt(result.channel.charged);
    expect(charged).toBeGreaterThan(0n);
    // Nothing lost: the wallet holds everything but what the node charged for the time it granted.
    expect(await stack.balanceOf(address)).toBe(FUNDS - charged);

    const again = spawnBin(["connect", node.url, "--driver", "export", "--minutes", "1", "--json"], env);
    try {
      const [plan] = await waitFor(() => again.out.stdout, "plan");
      expect(plan).toMatchObject({ channel: { channelId } });
      await waitFor(() => again.out.stdout, "connected");
      again.child.kill("SIGINT");
      expect(await again.exited).toBe(0);
      const [closed] = (await waitFor(() => again.out.stdout, "closed")) as unknown as [Closed];
      expect(closed.channel.channelId).toBe(channelId);
      expect(await stack.balanceOf(address)).toBe(FUNDS - charged - BigInt(closed.channel.charged));
    } finally {
      again.child.kill("SIGKILL");
    }
  }, 90_000);

  it("--keep-deposit: Ctrl-C charges the seconds used and keeps the rest in the channel; the next connect deposits nothing", async () => {
    const { env, address } = await payerEnv();
    const cap = PRICE_PER_MINUTE * BigInt(3600 / SECONDS_PER_MINUTE);
    const args = ["connect", node.url, "--driver", "export", "--minutes", "1", "--json"];
    const first = spawnBin([...args, "--keep-deposit"], env);
    let kept: Closed;
    try {
      await waitFor(() => first.out.stdout, "connected");
      const block = await stack.publicClient.getBlockNumber();
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      [kept] = (await waitFor(() => first.out.stdout, "closed")) as unknown as [Closed];
      expect(kept.channel).toMatchObject({ refunded: "0", refundTx: null, depositKept: true });
      expect(BigInt(kept.channel.charged)).toBeGreaterThan(0n);
      // No refund transaction: the deposit is still in the escrow, less nothing.
      expect(await stack.publicClient.getBlockNumber()).toBe(block);
      expect(await stack.balanceOf(address)).toBe(FUNDS - cap);
    } finally {
      first.child.kill("SIGKILL");
    }

    const again = spawnBin(args, env);
    try {
      const [plan] = await waitFor(() => again.out.stdout, "plan");
      expect(plan).toMatchObject({ channel: { channelId: kept.channel.channelId, deposit: "0" } });
      const block = await stack.publicClient.getBlockNumber();
      await waitFor(() => again.out.stdout, "connected");
      expect(await stack.publicClient.getBlockNumber()).toBe(block);
      again.child.kill("SIGINT");
      expect(await again.exited).toBe(0);
      const [closed] = (await waitFor(() => again.out.stdout, "closed")) as unknown as [Closed];
      const both = BigInt(kept.channel.charged) + BigInt(closed.channel.charged);
      // The refund returns everything the two sessions did not use.
      expect(BigInt(closed.channel.refunded)).toBe(cap - both);
      expect(await stack.balanceOf(address)).toBe(FUNDS - both);
    } finally {
      again.child.kill("SIGKILL");
    }
  }, 90_000);
});
