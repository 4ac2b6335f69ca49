// The order of commits with a Redis channel store, on a real chain, facilitator and redis-server: the charge
// commits in Redis before the lease time is granted in the ledger, and a grant lost in between (as a crash
// would lose it) costs the payer the renewal, never money: the charge covered only seconds already served,
// and the lease's final bill does not charge them twice.
import { CreateLeaseResponse, UsageReceipt } from "@wg402/shared";
import { generatePrivateKey } from "viem/accounts";
import {
  type AgentHarness,
  channelPayer,
  closeLease,
  errorOf,
  postJson,
  read,
  startAgentHarness,
  startChannelAgent,
} from "../testing/index.ts";
import { type RedisServer, startRedisServer } from "./testing/redisServer.ts";

let h: AgentHarness;
let redis: RedisServer;
beforeAll(async () => {
  [h, redis] = await Promise.all([startAgentHarness(), startRedisServer()]);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await redis?.close();
});

const fleetEnv = () => ({ AGENT_CHANNEL_STORE: "redis", AGENT_REDIS_URL: redis.url });

it("charges the seconds served before granting; a grant lost after the charge is never charged twice", async () => {
  const { running, advance, now } = await startChannelAgent(h, { env: fleetEnv() });
  const payer = await channelPayer(h);
  const created = await postJson(payer.fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  const stored = running.agent.store.getLease(lease.id);
  const channelId = stored?.channel?.id as string;
  const storage = running.agent.channels?.storage;
  expect(storage?.atomicGrant).toBe(false);
  expect(await storage?.get(channelId)).toMatchObject({ chargedCumulativeAmount: "0", signedMaxClaimable: "2000" });

  // 30 s in, a renewal whose grant is lost after its charge committed (the process "dies" in between).
  advance(30_000);
  const store = running.agent.store;
  const settle = store.settlePayment.bind(store);
  store.settlePayment = () => {
    throw new Error("killed between the charge and the grant");
  };
  const lost = await postJson(payer.fetch, `${running.url}/lease/${lease.id}/renew`, { minutes: 1 });
  store.settlePayment = settle;
  expect(lost.status).toBe(500);
  // Charged: exactly the 30 s served (500), within the old expiry; the lease got no more time.
  expect(await storage?.get(channelId)).toMatchObject({ chargedCumulativeAmount: "500", signedMaxClaimable: "3000" });
  expect(store.getLease(lease.id)?.expiresAt).toBe(stored?.expiresAt);

  // As on a restart, the open payment is decided: it bought nothing (failed), and the lease runs on.
  await running.agent.sweep();
  expect(store.openPayments()).toHaveLength(0);
  // The lease ends after 60 s of use: the final bill is its 60 s (1,000), not 1,000 on top of the 500.
  advance(30_000);
  const closed = await closeLease(running.url, lease.id, payer.account, now());
  expect(closed.status).toBe(200);
  const receipt = await read(UsageReceipt, closed);
  expect(receipt.channel).toMatchObject({ charged: "1000", chargedTotal: "1000" });
  expect((await storage?.get(channelId))?.chargedCumulativeAmount).toBe("1000");
}, 60_000);

it("refuses a second lease on a channel another node of the fleet serves", async () => {
  // One operator: one payTo and one receiver authorizer, so the payer's channel is the same on both nodes.
  const env = { ...fleetEnv(), AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey() };
  const nodeA = await startChannelAgent(h, { env });
  const nodeB = await startChannelAgent(h, { env });
  const payer = await channelPayer(h);
  const onA = await postJson(payer.fetch, `${nodeA.running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
  expect(onA.status).toBe(201);
  const onB = await postJson(payer.fetch, `${nodeB.running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
  expect(onB.status).toBe(409);
  expect((await errorOf(onB)).error).toBe("channel_in_use");
}, 60_000);

it("never refunds idle a channel another node serves; refunds it once that lease is billed", async () => {
  const env = {
    ...fleetEnv(),
    AGENT_REDIS_KEY_PREFIX: "idle-refund", // a fleet of its own: its settler's turn is not the other tests'
    AGENT_RECEIVER_AUTHORIZER_PRIVATE_KEY: generatePrivateKey(),
    AGENT_CHANNEL_REFUND_IDLE_SECONDS: "60",
  };
  const nodeA = await startChannelAgent(h, { env });
  const nodeB = await startChannelAgent(h, { env });
  const settlerB = nodeB.running.agent.settler;
  expect(await settlerB?.claim()).toBe(0); // B takes the settler's turn first
  const payer = await channelPayer(h);
  const created = await postJson(payer.fetch, `${nodeA.running.url}/lease`, { publicKey: h.randomKey(), minutes: 2 });
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  const channelId = nodeA.running.agent.store.getLease(lease.id)?.channel?.id as string;

  // To B, the channel looks idle for an hour; A still serves it.
  nodeB.advance(3_600_000);
  expect(await settlerB?.refundIdle()).toBe(0);
  expect(await nodeA.running.agent.settler?.refundIdle()).toBe(0); // not A's turn

  nodeA.advance(30_000);
  expect((await closeLease(nodeA.running.url, lease.id, payer.account, nodeA.now())).status).toBe(200);
  const before = await h.balanceOf(payer.account.address);
  const deposit = BigInt((await nodeB.running.agent.channels?.storage.get(channelId))?.balance ?? 0);
  expect(deposit).toBeGreaterThan(0n);
  expect(await settlerB?.refundIdle()).toBe(1);
  // Back to the payer: the deposit less the 30 s A charged (500).
  expect((await h.balanceOf(payer.account.address)) - before).toBe(deposit - 500n);
}, 60_000);
