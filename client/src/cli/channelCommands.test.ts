// `wg402 channel list|show|refund|withdraw` against a real local chain, the real facilitator and a real agent
// with AGENT_CHANNEL=on, run in-process: what the escrow and the local record say, the cooperative refund
// after a close, and the payer's own withdrawal (initiate, finalize refused before the delay, then done).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@wg402/wireguard";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { LeaseClient } from "../node/leaseClient.ts";
import { runCli } from "../testing/runCli.ts";
import { PRICE_PER_MINUTE, type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

const CAP = PRICE_PER_MINUTE * 60n;
const FUNDS = 1_000_000n;

let stack: TestStack;
let node: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent({ AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey() });
  dir = await mkdtemp(join(tmpdir(), "wg402-channel-cmd-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let homes = 0;
/** A payer whose channel holds CAP and whose one lease ran a moment and was closed without the refund. */
async function channelLeft() {
  const wallet = await stack.fundedWallet(FUNDS);
  const env = { ...stack.env, WG402_HOME: join(dir, `home-${homes++}`), WG402_PRIVATE_KEY: wallet.privateKey };
  const client = await LeaseClient.connect({
    nodeUrl: node.url,
    account: privateKeyToAccount(wallet.privateKey),
    env,
    sessionCap: CAP,
  });
  const created = await client.create({ publicKey: generateKeyPair().publicKey, minutes: 1 });
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  await client.close(created.lease.id, { refund: false });
  return { env, address: wallet.address as Hex, channelId: created.payment.channelId as string };
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe("wg402 channel", () => {
  it("lists and shows the channel from the chain and the local record, then refunds it cooperatively", async () => {
    const { env, address, channelId } = await channelLeft();
    const list = await runCli(["channel", "list", "--json"], { env });
    expect(list.code).toBe(ExitCode.ok);
    const [listed] = json(list.stdout).channels as Array<Record<string, string>>;
    expect(listed).toMatchObject({ channelId, nodeUrl: node.url, balance: CAP.toString(), claimed: "0" });
    // The local record holds the charge of the node's last paid answer: the creation's, before any second was
    // billed (the close charges the rest, which the refund then settles).
    expect(listed?.charged).toBe("0");

    const shown = await runCli(["channel", "show", channelId.slice(0, 12), "--json"], { env });
    expect(json(shown.stdout)).toMatchObject({ channelId, withdrawable: CAP.toString(), withdrawal: null });

    const refund = await runCli(["channel", "refund", channelId, "--json"], { env });
    expect(refund.code).toBe(ExitCode.ok);
    const refunded = json(refund.stdout) as { refunded: string; charged: string; refundTx: Hex };
    expect(BigInt(refunded.refunded) + BigInt(refunded.charged)).toBe(CAP);
    expect(await stack.balanceOf(address)).toBe(FUNDS - BigInt(refunded.charged));
    expect((await stack.publicClient.getTransactionReceipt({ hash: refunded.refundTx })).status).toBe("success");

    const unknown = await runCli(["channel", "show", "0xdeadbeef", "--json"], { env });
    expect(unknown.code).not.toBe(ExitCode.ok);
    expect(unknown.stderr + unknown.stdout).toMatch(/channel_unknown/);
  }, 60_000);

  it("withdraw starts the payer's escape hatch, says when finalize is possible, and --finalize pays out after it", async () => {
    const { env, address, channelId } = await channelLeft();
    // Gas for the payer's own transactions (the local faucet tops it up from the stack's deployer).
    expect((await runCli(["faucet", "--json"], { env })).code).toBe(ExitCode.ok);
    const before = await stack.balanceOf(address);

    const started = await runCli(["channel", "withdraw", channelId, "--json"], { env });
    expect(started.code).toBe(ExitCode.ok);
    const s = json(started.stdout) as { amount: string; finalizableAt: string };
    expect(s.amount).toBe(CAP.toString());
    const finalizableAt = Date.parse(s.finalizableAt);
    expect(finalizableAt).toBeGreaterThan(Date.now() + 3_600_000);

    const early = await runCli(["channel", "withdraw", channelId, "--finalize", "--json"], { env });
    expect(early.code).not.toBe(ExitCode.ok);
    expect(early.stderr + early.stdout).toMatch(/channel_withdraw_refused/);

    const test = stack.publicClient as unknown as {
      request: (a: { method: string; params: unknown[] }) => Promise<unknown>;
    };
    await test.request({ method: "evm_increaseTime", params: [Math.ceil((finalizableAt - Date.now()) / 1000) + 60] });
    await test.request({ method: "evm_mine", params: [] });
    const done = await runCli(["channel", "withdraw", channelId, "--finalize", "--json"], { env });
    expect(done.code).toBe(ExitCode.ok);
    const withdrawn = BigInt((json(done.stdout) as { withdrawn: string }).withdrawn);
    // Exactly balance − claimed: the node may have claimed its charge meanwhile, never more.
    expect(withdrawn).toBeGreaterThan(0n);
    expect(withdrawn).toBeLessThanOrEqual(CAP);
    expect(await stack.balanceOf(address)).toBe(before + withdrawn);
  }, 90_000);
});
