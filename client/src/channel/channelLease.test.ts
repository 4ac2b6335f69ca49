// Paying by escrow channel against a real local chain, the real facilitator and a real agent with
// AGENT_CHANNEL=on: one deposit, renewals with no chain transaction, billing to the second at the close, the
// cooperative refund on-chain, and the channel's record beside the wallet surviving a client that vanished.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@wg402/wireguard";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { isClientError } from "../errors.ts";
import { LeaseClient } from "../node/leaseClient.ts";
import { PRICE_PER_MINUTE, type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { channelStorage } from "./channelStorage.ts";

let stack: TestStack;
let node: RunningAgent;
let exactNode: RunningAgent;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent({ AGENT_CHANNEL: "on", AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey() });
  exactNode = await stack.startAgent();
});

afterAll(async () => {
  await stack?.stop();
});

const CAP = PRICE_PER_MINUTE * 60n;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function payer(amount: bigint) {
  const wallet = await stack.fundedWallet(amount);
  const home = await mkdtemp(join(tmpdir(), "wg402-channel-"));
  return { ...wallet, home, account: privateKeyToAccount(wallet.privateKey) };
}

function client(p: { account: ReturnType<typeof privateKeyToAccount>; home: string }, url = node.url) {
  const env = { ...stack.env, WG402_HOME: p.home };
  return LeaseClient.connect({ nodeUrl: url, account: p.account, env, sessionCap: CAP });
}

describe("LeaseClient by channel", () => {
  it("deposits the session cap once, renews with no chain transaction, is charged the seconds used and refunded the rest", async () => {
    const p = await payer(1_000_000n);
    const c = await client(p);
    expect(c.paymentKind.scheme).toBe("batch-settlement");
    const { publicKey } = generateKeyPair();

    const created = await c.create({ publicKey, minutes: 1 });
    const openedAt = Date.now();
    expect(created.payment).toMatchObject({ scheme: "batch-settlement", deposit: CAP });
    expect(created.payment.channelId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await stack.balanceOf(p.address)).toBe(1_000_000n - CAP);

    const blockAfterDeposit = await stack.publicClient.getBlockNumber();
    for (let i = 0; i < 3; i++) {
      const renewed = await c.renew(created.lease.id, 1);
      expect(renewed.payment).toMatchObject({ scheme: "batch-settlement", deposit: null, txHash: null });
      expect(renewed.payment.channelId).toBe(created.payment.channelId);
    }
    await sleep(2_000);
    expect(await stack.publicClient.getBlockNumber()).toBe(blockAfterDeposit);

    const receipt = await c.close(created.lease.id);
    const usedS = (Date.now() - openedAt) / 1000;
    const refund = c.lastRefund;
    if (!refund?.ok) throw refund?.error ?? new Error("no refund");
    expect(refund.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const charged = CAP - refund.refunded;
    expect(refund.charged).toBe(charged);
    const perSecond = Number(PRICE_PER_MINUTE) / c.node.secondsPerMinute;
    // Billed to the second: within one second of price of the time the lease ran.
    // The receipt's seconds are floored: the time used lies in [s, s + 1), and the charge within 1 s of price of it.
    expect(Number(charged)).toBeGreaterThanOrEqual((receipt.secondsUsed - 1) * perSecond);
    expect(Number(charged)).toBeLessThanOrEqual((receipt.secondsUsed + 2) * perSecond);
    expect(Number(charged)).toBeLessThanOrEqual(usedS * perSecond + perSecond);
    expect(await stack.balanceOf(p.address)).toBe(1_000_000n - charged);
  }, 60_000);

  it("a client that vanished comes back on the same channel with no new deposit, even without its record", async () => {
    const p = await payer(1_000_000n);
    const first = await client(p);
    const { publicKey } = generateKeyPair();
    const created = await first.create({ publicKey, minutes: 1 });
    await first.renew(created.lease.id, 1);
    const channelId = created.payment.channelId as `0x${string}`;
    const signed = await channelStorage({ WG402_HOME: p.home }).get(channelId.toLowerCase());
    expect(signed?.balance).toBe(CAP.toString());

    // A new process with the same record: it closes the old lease (no refund) and buys another on the channel.
    const again = await client(p);
    await again.close(created.lease.id, { refund: false });
    const block = await stack.publicClient.getBlockNumber();
    const next = await again.create({ publicKey: generateKeyPair().publicKey, minutes: 1 });
    expect(next.payment).toMatchObject({ deposit: null, channelId });
    expect(await stack.publicClient.getBlockNumber()).toBe(block);
    await again.close(next.lease.id, { refund: false });

    // The record lost entirely (another machine, a wiped home): rebuilt from the chain and the node's 402.
    const lost = await client({ account: p.account, home: await mkdtemp(join(tmpdir(), "wg402-lost-")) });
    const third = await lost.create({ publicKey: generateKeyPair().publicKey, minutes: 1 });
    expect(third.payment).toMatchObject({ deposit: null, channelId });
    await lost.close(third.lease.id);
    expect(lost.lastRefund).toMatchObject({ ok: true });
    expect(await stack.balanceOf(p.address)).toBeGreaterThan(1_000_000n - CAP);
  }, 60_000);

  it("bounds a renewal by its own last voucher, and asks the node again once when another process renewed too", async () => {
    const p = await payer(1_000_000n);
    const mine = await client(p);
    const created = await mine.create({ publicKey: generateKeyPair().publicKey, minutes: 1 });
    const reads: string[] = [];
    const counting = await LeaseClient.connect({
      nodeUrl: node.url,
      account: p.account,
      env: { ...stack.env, WG402_HOME: p.home },
      sessionCap: CAP,
      fetch: (input, init) => {
        const request = new Request(input, init);
        if (request.method === "GET" && new URL(request.url).pathname.startsWith("/lease/")) reads.push(request.url);
        return fetch(request);
      },
    });
    counting.rememberLeaseToken(created.lease.id, created.leaseToken as string);
    await counting.renew(created.lease.id, 1); // its first on this lease: bounded by the lease as the node has it
    await counting.renew(created.lease.id, 1);
    await counting.renew(created.lease.id, 1);
    expect(reads).toHaveLength(1);
    // `wg402 renew` from another process, on the same channel: the node now asks the ceiling above what this
    // client's last voucher allows, so the renewal is asked again, bounded by the lease as the node has it.
    await mine.renew(created.lease.id, 3);
    const renewed = await counting.renew(created.lease.id, 1);
    expect(reads).toHaveLength(2);
    expect(Date.parse(renewed.lease.expiresAt)).toBeGreaterThan(Date.parse(created.lease.expiresAt));
    await mine.close(created.lease.id);
  }, 60_000);

  it("renews a long lease late in its time: the ceiling covers all the time granted and still uncharged", async () => {
    const quick = await stack.startAgent({
      AGENT_CHANNEL: "on",
      AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey(),
      AGENT_SECONDS_PER_MINUTE: "1",
    });
    const p = await payer(1_000_000n);
    const c = await client(p, quick.url);
    // Five 1-second minutes, renewed by five more half a minute before they run out (the renewer's lead), then
    // again from a process that never paid on it (bounded by the lease as the node has it).
    const created = await c.create({ publicKey: generateKeyPair().publicKey, minutes: 5 });
    await sleep(4_500);
    const renewed = await c.renew(created.lease.id, 5);
    expect(renewed.payment.ceiling).toBe(PRICE_PER_MINUTE * 10n);
    const other = await client(p, quick.url);
    other.rememberLeaseToken(created.lease.id, created.leaseToken as string);
    await sleep(3_000);
    expect((await other.renew(created.lease.id, 5)).payment.ceiling).toBe(PRICE_PER_MINUTE * 15n);
    await c.close(created.lease.id);
  }, 60_000);

  it("--scheme exact pays exact on a channel node; --scheme channel is refused where no channel is offered", async () => {
    const p = await payer(100_000n);
    const env = { ...stack.env, WG402_HOME: p.home };
    const exact = await LeaseClient.connect({ nodeUrl: node.url, account: p.account, env, scheme: "exact" });
    expect(exact.paymentKind.scheme).toBe("exact");
    const auto = await LeaseClient.connect({ nodeUrl: exactNode.url, account: p.account, env });
    expect(auto.paymentKind.scheme).toBe("exact");
    const refused = await LeaseClient.connect({
      nodeUrl: exactNode.url,
      account: p.account,
      env,
      scheme: "channel",
    }).catch((e: unknown) => e);
    expect(isClientError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "channel_not_offered" });
    expect(await stack.balanceOf(p.address)).toBe(100_000n);
  }, 30_000);
});
