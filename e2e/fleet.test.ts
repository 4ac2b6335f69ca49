// Operator fleets: two real agent processes of one operator (one payTo) on one real redis-server, a real
// chain and the real facilitator. A payer deposits once, on node A, and moves to node B on the same channel:
// no second deposit, B's bill counts on from A's, one lease per channel fleet-wide, one settler, and at the
// end every base unit accounted for on-chain.
import {
  type AgentHarness,
  channelPayer,
  closeLease,
  errorOf,
  PRICE,
  postJson,
  read,
  startAgentHarness,
} from "@wg402/agent/testing";
import { CreateLeaseResponse, UsageReceipt } from "@wg402/shared";
import { escrowChannel, type FleetNode, metric, sleep, startFleet, until } from "./fleetSupport.ts";

const FUNDS = 10_000_000n;
let h: AgentHarness;
let fleet: Awaited<ReturnType<typeof startFleet>>;
let a: FleetNode;
let b: FleetNode;

beforeAll(async () => {
  h = await startAgentHarness();
  // Claims above 1 base unit every 2 s and settles as often: whichever node has the settler's turn does both.
  fleet = await startFleet(h, ["a", "b"], {
    AGENT_CHANNEL_CLAIM_THRESHOLD: "1",
    AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS: "2",
    AGENT_CHANNEL_SETTLE_INTERVAL_SECONDS: "2",
  });
  [a, b] = fleet.nodes as [FleetNode, FleetNode];
  await Promise.all([fleet.start(a), fleet.start(b)]);
}, 120_000);
afterAll(async () => {
  await fleet?.close();
  await h?.close();
});

type Payer = Awaited<ReturnType<typeof channelPayer>>;
const openLease = (node: FleetNode, payer: Payer, minutes: number) =>
  postJson(payer.fetch, `${node.url}/lease`, { publicKey: h.randomKey(), minutes });
const close = async (node: FleetNode, payer: Payer, leaseId: string) => {
  const closed = await closeLease(node.url, leaseId, payer.account, Date.now());
  expect(closed.status).toBe(200);
  const receipt = await read(UsageReceipt, closed);
  if (!receipt.channel) throw new Error("a channel lease's receipt without its channel");
  return receipt.channel;
};

it("moves a payer between nodes on one deposit, bills each session once, and accounts for every unit", async () => {
  const payer = await channelPayer(h, FUNDS);
  const operatorBefore = await h.balanceOf(h.operator());
  const receipts: { charged: string; chargedTotal: string }[] = [];

  // On A: the deposit, a renewal (a voucher that charges the seconds used), a close.
  const created = await openLease(a, payer, 5);
  expect(created.status).toBe(201);
  const { lease: onA } = await read(CreateLeaseResponse, created);
  await sleep(1_200);
  expect((await postJson(payer.fetch, `${a.url}/lease/${onA.id}/renew`, { minutes: 1 })).status).toBe(200);
  await sleep(800);
  const fromA = await close(a, payer, onA.id);
  receipts.push(fromA);
  const channelId = fromA.channelId;
  expect(BigInt(fromA.charged)).toBeGreaterThan(0n);
  expect((await fleet.stored(channelId))?.chargedCumulativeAmount).toBe(fromA.chargedTotal);
  expect(await fleet.holder(channelId)).toBeNull(); // billed: A gave the channel up
  const deposit = (await escrowChannel(h, channelId)).balance;
  const walletAfterDeposit = await h.balanceOf(payer.account.address);
  expect(walletAfterDeposit).toBe(FUNDS - deposit);

  // On B, the same channel: no new deposit, and B's bill starts at A's cumulative charge.
  const onBCreated = await openLease(b, payer, 3);
  expect(onBCreated.status).toBe(201);
  const { lease: onB } = await read(CreateLeaseResponse, onBCreated);
  expect((await escrowChannel(h, channelId)).balance).toBe(deposit);
  expect(await h.balanceOf(payer.account.address)).toBe(walletAfterDeposit);

  // B serves the channel: A refuses a second lease on it, fleet-wide.
  const second = await openLease(a, payer, 1);
  expect(second.status).toBe(409);
  expect((await errorOf(second)).error).toBe("channel_in_use");
  await sleep(1_000);
  const fromB = await close(b, payer, onB.id);
  receipts.push(fromB);
  expect(BigInt(fromB.chargedTotal) - BigInt(fromB.charged)).toBe(BigInt(fromA.chargedTotal));
  expect(BigInt(fromB.charged)).toBeGreaterThan(0n);

  // Both nodes asked at the same moment for a lease on the free channel, with the very same ceiling: exactly
  // one sells it; the other refuses before verifying anything, so no ceiling is ever charged twice.
  const before = await fleet.stored(channelId);
  const raced = await Promise.all([openLease(a, payer, 2), openLease(b, payer, 2)]);
  const statuses = raced.map((r) => r.status).sort();
  expect(statuses).toEqual([201, 409]);
  const loser = raced.find((r) => r.status === 409) as Response;
  expect((await errorOf(loser)).error).toBe("channel_in_use");
  const winner = raced.findIndex((r) => r.status === 201);
  const node = winner === 0 ? a : b;
  const { lease: raceLease } = await read(CreateLeaseResponse, raced[winner] as Response);
  const after = await fleet.stored(channelId);
  // The new lease's voucher raised the ceiling by its 2 minutes, once; no charge came with it.
  expect(BigInt(after?.signedMaxClaimable ?? 0)).toBe(BigInt(before?.chargedCumulativeAmount ?? 0) + 2n * PRICE);
  expect(after?.chargedCumulativeAmount).toBe(before?.chargedCumulativeAmount);
  await sleep(600);
  const fromRace = await close(node, payer, raceLease.id);
  receipts.push(fromRace);
  expect(BigInt(fromRace.chargedTotal) - BigInt(fromRace.charged)).toBe(BigInt(fromB.chargedTotal));

  // Every session billed once: the channel's charge is the sum of the leases' charges.
  const total = receipts.reduce((sum, r) => sum + BigInt(r.charged), 0n);
  expect((await fleet.stored(channelId))?.chargedCumulativeAmount).toBe(total.toString());
  expect(total).toBe(BigInt(fromRace.chargedTotal));

  // The settler (one node) claims it all and settles it to the payTo; the payer gets the rest back.
  await until(
    () => escrowChannel(h, channelId),
    (c) => c.totalClaimed === total,
  );
  await until(
    () => h.balanceOf(h.operator()),
    (balance) => balance - operatorBefore === total,
  );
  const claimsA = await metric(a.url, "agent_channel_operations_total", 'operation="claim"');
  const claimsB = await metric(b.url, "agent_channel_operations_total", 'operation="claim"');
  expect(claimsA > 0 !== claimsB > 0).toBe(true); // exactly one node claimed
  const refund = await payer.scheme.refund(`${b.url}/channel/refund`);
  expect(refund.success).toBe(true);
  const escrow = await escrowChannel(h, channelId);
  const wallet = await h.balanceOf(payer.account.address);
  const received = (await h.balanceOf(h.operator())) - operatorBefore;
  expect(received).toBe(total);
  expect(wallet).toBe(FUNDS - total);
  // What is left in the escrow for this channel is only what was claimed (and settled) already.
  expect(escrow.balance - escrow.totalClaimed).toBe(0n);
  expect(wallet + received).toBe(FUNDS);
}, 180_000);

it("a node killed mid-lease keeps its channel until it is back and bills it; then another node may serve it", async () => {
  const payer = await channelPayer(h, FUNDS);
  const created = await openLease(a, payer, 30);
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  await sleep(1_000);
  expect((await postJson(payer.fetch, `${a.url}/lease/${lease.id}/renew`, { minutes: 1 })).status).toBe(200);
  await fleet.sigkill(a);

  // A is dead, its lease unbilled: B must not start billing the channel from a charge missing A's seconds.
  const stolen = await openLease(b, payer, 1);
  expect(stolen.status).toBe(409);
  expect((await errorOf(stolen)).error).toBe("channel_in_use");

  // A restarts on its ledger: the lease runs on, and its close bills it; only then does B sell on it.
  await fleet.start(a);
  await sleep(500);
  const fromA = await close(a, payer, lease.id);
  expect(BigInt(fromA.charged)).toBeGreaterThan(0n);
  const onB = await openLease(b, payer, 1);
  expect(onB.status).toBe(201);
  const { lease: leaseB } = await read(CreateLeaseResponse, onB);
  await sleep(500);
  const fromB = await close(b, payer, leaseB.id);
  expect(BigInt(fromB.chargedTotal) - BigInt(fromB.charged)).toBe(BigInt(fromA.chargedTotal));
  expect((await fleet.stored(fromA.channelId))?.chargedCumulativeAmount).toBe(fromB.chargedTotal);
}, 120_000);

it("with Redis down, refuses channel payments with channel_store_unavailable, still sells exact, and recovers", async () => {
  const payer = await channelPayer(h, FUNDS);
  const created = await openLease(b, payer, 20);
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);

  await fleet.redis.kill();
  const refused = await postJson(payer.fetch, `${b.url}/lease/${lease.id}/renew`, { minutes: 1 });
  expect(refused.status).toBe(503);
  expect((await errorOf(refused)).error).toBe("channel_store_unavailable");
  expect(refused.headers.get("retry-after")).toBe("5");
  // The running lease is still served, and a payer by `exact` still buys.
  const summary = (await (await fetch(`${b.url}/lease/${lease.id}`)).json()) as { state?: string };
  expect(summary.state).toBe("active");
  const exact = await h.buyLease({ url: b.url } as never, 1);
  expect(exact.response.status).toBe(201);

  // Redis back (empty here: nothing persisted in this test's server), the node takes channel payments again.
  await fleet.redis.restart();
  const other = await channelPayer(h, FUNDS);
  const again = await until(
    () => openLease(b, other, 1),
    (r) => r.status !== 503,
    15_000,
  );
  expect(again.status).toBe(201);
}, 120_000);
