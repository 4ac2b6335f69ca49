// The fleet's Redis side against a real redis-server: channel records through the SDK's storage, this
// node's reservations (and only its own) released after a crash, the channel holds, the settler's turn, and
// Redis going down and coming back.
import { BaseError, ErrorCode } from "@wg402/shared";
import { openLedger } from "@wg402/shared/node";
import type { Channel } from "@x402/evm/batch-settlement/server";
import { pino } from "pino";
import { RedisChannelHolds, SettlerTurn } from "./fleetHolds.ts";
import { RedisChannelStore } from "./redisChannelStore.ts";
import { createFleetRedis, type FleetRedis } from "./redisClient.ts";
import { type RedisServer, startRedisServer } from "./testing/redisServer.ts";

const log = pino({ level: "silent" });
const A = `0x${"a".repeat(64)}`;
const B = `0x${"b".repeat(64)}`;

const channel = (channelId: string, pendingId?: string): Channel => ({
  channelId,
  channelConfig: {
    payer: `0x${"1".repeat(40)}`,
    payerAuthorizer: `0x${"0".repeat(40)}`,
    receiver: `0x${"2".repeat(40)}`,
    receiverAuthorizer: `0x${"3".repeat(40)}`,
    token: `0x${"4".repeat(40)}`,
    withdrawDelay: 900,
    salt: `0x${"0".repeat(64)}`,
  },
  chargedCumulativeAmount: "100",
  signedMaxClaimable: "500",
  signature: "0x",
  balance: "1000",
  totalClaimed: "0",
  withdrawRequestedAt: 0,
  refundNonce: 0,
  lastRequestTimestamp: 1,
  onchainSyncedAt: 1,
  ...(pendingId ? { pendingRequest: { pendingId, signedMaxClaimable: "600", expiresAt: Date.now() + 60_000 } } : {}),
});

let server: RedisServer;
const clients: FleetRedis[] = [];
const client = async () => {
  const redis = createFleetRedis({ url: server.url, timeoutMs: 500, log });
  clients.push(redis);
  await until(
    async () =>
      await redis.get("x").then(
        () => true,
        () => false,
      ),
  );
  return redis;
};
const until = async (ok: () => Promise<boolean>, ms = 5_000) => {
  const started = Date.now();
  while (!(await ok())) {
    if (Date.now() - started > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.close();
});

describe("the fleet's channel store", () => {
  it("releases only this node's reservations after a crash, never another node's in flight", async () => {
    const redis = await client();
    const ledgerA = openLedger({ path: ":memory:", migrations: [] });
    const ledgerB = openLedger({ path: ":memory:", migrations: [] });
    const nodeA = new RedisChannelStore({ redis, keyPrefix: "t1", ledger: ledgerA });
    const nodeB = new RedisChannelStore({ redis, keyPrefix: "t1", ledger: ledgerB });
    // A reserves channel A and B reserves channel B, as the SDK's verification does; then A "crashes".
    await nodeA.updateChannel(A, () => channel(A, "pending-a"));
    await nodeB.updateChannel(B, () => channel(B, "pending-b"));
    expect(await nodeB.get(A)).toMatchObject({ pendingRequest: { pendingId: "pending-a" } });

    expect(await nodeA.releaseReservations()).toBe(1);
    const a = await nodeB.get(A);
    expect(a?.pendingRequest).toBeUndefined();
    expect(a?.onchainSyncedAt).toBeUndefined(); // re-read from the chain next time
    expect(a?.chargedCumulativeAmount).toBe("100");
    expect((await nodeA.get(B))?.pendingRequest?.pendingId).toBe("pending-b");
    expect(await nodeA.releaseReservations()).toBe(0);

    // A reservation B settled meanwhile is no longer B's to release.
    await nodeB.updateChannel(B, (c) => c && { ...c, pendingRequest: undefined, chargedCumulativeAmount: "200" });
    expect(await nodeB.releaseReservations()).toBe(0);
    expect((await nodeA.list()).map((c) => c.chargedCumulativeAmount)).toEqual(["100", "200"]);
  });

  it("keeps two operators' channels apart by key prefix", async () => {
    const redis = await client();
    const ledger = openLedger({ path: ":memory:", migrations: [] });
    await new RedisChannelStore({ redis, keyPrefix: "op-1", ledger }).updateChannel(A, () => channel(A));
    expect(await new RedisChannelStore({ redis, keyPrefix: "op-2", ledger }).get(A)).toBeUndefined();
  });
});

describe("channel holds", () => {
  it("lets one node hold a channel at a time, until released or expired", async () => {
    const redis = await client();
    const a = new RedisChannelHolds({ redis, keyPrefix: "t2", nodeId: "node-a" });
    const b = new RedisChannelHolds({ redis, keyPrefix: "t2", nodeId: "node-b" });
    const [first, second] = await Promise.all([a.take(A, 60_000), b.take(A, 60_000)]);
    expect([first, second]).toEqual([true, false]); // asked at once: exactly one holds it
    expect(await b.heldElsewhere(A)).toBe(true);
    expect(await a.heldElsewhere(A)).toBe(false);
    expect(await a.take(A, 1_000)).toBe(true); // its own again: extended, never shortened
    expect(await a.mine()).toEqual([A]);
    await b.release(A); // not b's: nothing happens
    expect(await b.take(A, 60_000)).toBe(false);
    await a.release(A);
    expect(await a.mine()).toEqual([]);
    expect(await b.take(A, 200)).toBe(true);
    // b dies holding it: once it expires, a may take the channel.
    expect(await a.take(A, 60_000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.mine()).toEqual([]);
    expect(await a.take(A, 60_000)).toBe(true);
  });

  it("gives the settler's turn to one node, and to the next once it stops renewing", async () => {
    const redis = await client();
    const a = new SettlerTurn({ redis, keyPrefix: "t3", nodeId: "node-a", ttlMs: 200 });
    const b = new SettlerTurn({ redis, keyPrefix: "t3", nodeId: "node-b", ttlMs: 200 });
    expect(await a.mine()).toBe(true);
    expect(await b.mine()).toBe(false);
    expect(await a.mine()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.mine()).toBe(true);
    expect(await a.mine()).toBe(false);
  });
});

describe("Redis down", () => {
  it("fails fast with channel_store_unavailable, and works again once Redis is back", async () => {
    const redis = await client();
    const ledger = openLedger({ path: ":memory:", migrations: [] });
    const store = new RedisChannelStore({ redis, keyPrefix: "t4", ledger });
    await store.updateChannel(A, () => channel(A));
    await server.kill();
    const started = Date.now();
    const error = await store.get(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseError);
    expect((error as BaseError).code).toBe(ErrorCode.channel_store_unavailable);
    expect(Date.now() - started).toBeLessThan(1_000);
    await server.restart(); // an empty Redis (nothing persisted): the client reconnects on its own
    await until(
      async () =>
        await store.get(A).then(
          () => true,
          () => false,
        ),
    );
    expect(await store.get(A)).toBeUndefined();
  });
});
