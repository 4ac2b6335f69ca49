// Hostile cases of the paid routes against a real chain and facilitator: copies of one payment in flight,
// a facilitator that dies before or after settling, answers 5xx or is down. After each case the chain and
// the ledger must agree: every transfer bought exactly what it paid for, and nothing was given unpaid.
import { CreateLeaseResponse, RenewLeaseResponse, WireError } from "@wg402/shared";
import { systemClock } from "@wg402/shared/runtime";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import type { Hex } from "viem";
import {
  type AgentHarness,
  errorOf,
  postJson,
  type RunningAgent,
  read,
  startAgentHarness,
} from "./testing/agentHarness.ts";
import { facilitatorProxy } from "./testing/facilitatorProxy.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

/** Signs a payment for `path` + `body` the way @x402/fetch would, without sending it. */
async function signPayment(running: RunningAgent, path: string, body: unknown) {
  const quote = await postJson(fetch, `${running.url}${path}`, body);
  expect(quote.status).toBe(402);
  const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
  const payload: PaymentPayload = await h.payingFetch().client.createPaymentPayload(required);
  return { header: encodePaymentSignatureHeader(payload), payload };
}
const send = (running: RunningAgent, path: string, body: unknown, header: string) =>
  postJson(fetch, `${running.url}${path}`, body, { "payment-signature": header });

/** How much the payer lost and the operator gained since `before`: equal, or money went missing. */
async function moved(before: { payer: bigint; operator: bigint }) {
  const payer = before.payer - (await h.balanceOf(h.demo().address));
  const operator = (await h.balanceOf(h.operator())) - before.operator;
  expect(payer).toBe(operator);
  return payer;
}
const balances = async () => ({
  payer: await h.balanceOf(h.demo().address),
  operator: await h.balanceOf(h.operator()),
});

describe("copies of one payment in flight", () => {
  it("create ×2 at once: one lease, both answers point to it, one transfer", async () => {
    const running = await h.startAgent();
    const body = { publicKey: h.randomKey(), minutes: 2 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();
    const answers = await Promise.all([send(running, "/lease", body, header), send(running, "/lease", body, header)]);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    const [a, b] = await Promise.all(answers.map((r) => read(CreateLeaseResponse, r)));
    expect(b?.lease.id).toBe(a?.lease.id);
    const lease = await h.leaseAt(`${running.url}/lease/${a?.lease.id}`);
    expect(lease).toMatchObject({ state: "active", totalPaid: "2000" });
    expect(await running.driver.listPeers()).toHaveLength(1);
    // The key has a live lease: a new purchase for it is refused before any payment.
    expect((await postJson(fetch, `${running.url}/lease`, body)).status).toBe(409);
    expect(await moved(before)).toBe(2000n);
  });

  it("create ×20 at once: one lease, twenty identical answers, one transfer", async () => {
    const running = await h.startAgent();
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(running, "/lease", body, header)));
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([201]));
    const ids = new Set((await Promise.all(answers.map((r) => read(CreateLeaseResponse, r)))).map((r) => r.lease.id));
    expect(ids.size).toBe(1);
    expect(running.agent.store.countByState().active).toBe(1);
    expect(await moved(before)).toBe(1000n);
  });

  it("renew ×2 at once: one extension, the same answer twice, one transfer", async () => {
    const running = await h.startAgent();
    const { body: created } = await h.buyLease(running, 1);
    const path = `/lease/${created.lease.id}/renew`;
    const { header } = await signPayment(running, path, { minutes: 3 });
    const before = await balances();
    const answers = await Promise.all([
      send(running, path, { minutes: 3 }, header),
      send(running, path, { minutes: 3 }, header),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = await Promise.all(answers.map((r) => read(RenewLeaseResponse, r)));
    expect(b?.lease.expiresAt).toBe(a?.lease.expiresAt);
    const lease = await h.leaseAt(`${running.url}/lease/${created.lease.id}`);
    expect(Date.parse(lease.expiresAt) - Date.parse(created.lease.expiresAt)).toBe(3 * 60_000);
    expect(lease.payments).toHaveLength(2);
    expect(await moved(before)).toBe(3000n);
  });

  it("one renewal signature sent to two leases at once extends exactly one of them", async () => {
    const running = await h.startAgent();
    const { body: first } = await h.buyLease(running, 1);
    const { body: second } = await h.buyLease(running, 1);
    const { header } = await signPayment(running, `/lease/${first.lease.id}/renew`, { minutes: 2 });
    const before = await balances();
    const answers = await Promise.all([
      send(running, `/lease/${first.lease.id}/renew`, { minutes: 2 }, header),
      send(running, `/lease/${second.lease.id}/renew`, { minutes: 2 }, header),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = answers.find((r) => r.status === 409) as Response;
    expect((await errorOf(refused)).error).toBe("payment_replayed");
    const leases = await Promise.all([first, second].map((c) => h.leaseAt(`${running.url}/lease/${c.lease.id}`)));
    const extended = leases.filter((l, i) => l.expiresAt !== [first, second][i]?.lease.expiresAt);
    expect(extended).toHaveLength(1);
    expect(await moved(before)).toBe(2000n);
  });

  it("a client retrying after a slow answer gets the same lease, and so does a later retry", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settleDelayMs = 1_000;
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 2 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();
    const slow = send(running, "/lease", body, header);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const retry = send(running, "/lease", body, header);
    const [a, b] = await Promise.all([slow, retry]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const later = await send(running, "/lease", body, header);
    expect(later.status).toBe(201);
    const ids = new Set(
      (await Promise.all([a, b, later].map((r) => read(CreateLeaseResponse, r)))).map((r) => r.lease.id),
    );
    expect(ids.size).toBe(1);
    expect(proxy.settles).toBe(1);
    expect(await moved(before)).toBe(2000n);
  });

  it("the same payment with a different body is refused without verifying it again", async () => {
    const running = await h.startAgent();
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    expect((await send(running, "/lease", body, header)).status).toBe(201);
    const other = await send(running, "/lease", { publicKey: h.randomKey(), minutes: 1 }, header);
    expect(other.status).toBe(409);
    expect((await errorOf(other)).error).toBe("payment_replayed");
    expect(running.agent.store.countByState().active).toBe(1);
  });
});

describe("a facilitator that fails mid-settle", () => {
  it("settled but the answer was lost: 503 settlement_unknown, then the same request gets the lease", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settle = "settle-then-reset";
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 2 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();

    const unknown = await send(running, "/lease", body, header);
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get("retry-after")).toBe("5");
    const error = await read(WireError, unknown);
    expect(error.error).toBe("settlement_unknown");
    expect(error.message).not.toMatch(/nothing was charged/);
    const leaseId = (error.details as { leaseId: string }).leaseId;
    // The money moved: the lease must not be lost.
    expect(await moved(before)).toBe(2000n);
    expect(running.agent.store.getLease(leaseId)?.state).toBe("pending");

    proxy.settle = "forward";
    const retried = await send(running, "/lease", body, header);
    expect(retried.status).toBe(201);
    expect((await read(CreateLeaseResponse, retried)).lease.id).toBe(leaseId);
    expect(await h.leaseAt(`${running.url}/lease/${leaseId}`)).toMatchObject({ state: "active", totalPaid: "2000" });
    expect(await moved(before)).toBe(2000n);
  });

  it("settled but the answer was lost, and the buyer never asks again: the sweep grants the lease", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settle = "settle-then-reset";
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 2 };
    const { header } = await signPayment(running, "/lease", body);
    const unknown = await send(running, "/lease", body, header);
    const { leaseId } = (await errorOf(unknown)).details as { leaseId: string };
    await running.agent.sweep();
    expect(running.agent.store.getLease(leaseId)?.state).toBe("active");
    expect(await running.driver.listPeers()).toEqual([expect.objectContaining({ publicKey: body.publicKey })]);
  });

  it("died before settling: the retry settles it once the facilitator is back", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settle = "drop";
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();
    expect((await send(running, "/lease", body, header)).status).toBe(503);
    // Still down: still unknown, still nothing moved, the address still held.
    const again = await send(running, "/lease", body, header);
    expect(again.status).toBe(503);
    expect((await errorOf(again)).error).toBe("settlement_unknown");
    expect(await moved(before)).toBe(0n);
    proxy.settle = "forward";
    const settled = await send(running, "/lease", body, header);
    expect(settled.status).toBe(201);
    expect(await moved(before)).toBe(1000n);
  });

  it("a 500 from /settle is unknown, not failed", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settle = "error-500";
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    const answer = await send(running, "/lease", body, header);
    expect(answer.status).toBe(503);
    expect((await errorOf(answer)).error).toBe("settlement_unknown");
    expect(running.agent.store.openPayments()).toHaveLength(1);
  });

  it("never settled and the authorization expired: released, and only then 'nothing was charged'", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    proxy.settle = "drop";
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => Date.now() + offsetMs };
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app), clock });
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    const before = await balances();
    const capacity = running.agent.store.capacity(clock.now()).available;
    const { leaseId } = (await errorOf(await send(running, "/lease", body, header))).details as { leaseId: string };
    expect(running.agent.store.capacity(clock.now()).available).toBe(capacity - 1);

    offsetMs = 10 * 60_000; // past validBefore (120 s) and the margin
    await running.agent.sweep();
    expect(running.agent.store.getLease(leaseId)).toBeUndefined();
    expect(running.agent.store.capacity(clock.now()).available).toBe(capacity);
    expect(running.agent.store.openPayments()).toEqual([]);
    expect(running.agent.store.payments(leaseId)).toEqual([
      expect.objectContaining({ status: "failed", failureReason: "authorization_expired" }),
    ]);
    expect(await moved(before)).toBe(0n);
  });
});

describe("a facilitator that is down", () => {
  it("answers 503 facilitator_unavailable with Retry-After, and leaves the payment untouched", async () => {
    const healthy = await h.startAgent();
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header, payload } = await signPayment(healthy, "/lease", body);
    const down = await h.startAgent({ facilitatorUrl: "http://127.0.0.1:9" });
    const before = await balances();

    const quote = await postJson(fetch, `${down.url}/lease`, body);
    expect(quote.status).toBe(503);
    expect(quote.headers.get("retry-after")).toBe("5");
    expect((await errorOf(quote)).error).toBe("facilitator_unavailable");

    const paid = await send(down, "/lease", body, header);
    expect(paid.status).toBe(503);
    expect((await errorOf(paid)).error).toBe("facilitator_unavailable");
    expect(down.agent.store.openPayments()).toEqual([]);
    expect(down.agent.store.countByState()).toMatchObject({ pending: 0, active: 0 });
    expect(await moved(before)).toBe(0n);
    // The authorization is still unspent, so the buyer can use it elsewhere.
    const auth = (payload.payload as { authorization: { nonce: Hex } }).authorization;
    expect(
      await h.publicClient.readContract({
        address: h.token(),
        abi: [
          {
            type: "function",
            name: "authorizationState",
            stateMutability: "view",
            inputs: [
              { name: "a", type: "address" },
              { name: "n", type: "bytes32" },
            ],
            outputs: [{ type: "bool" }],
          },
        ],
        functionName: "authorizationState",
        args: [h.demo().address, auth.nonce],
      }),
    ).toBe(false);
  });

  it("answers 503 when it goes down after the agent started", async () => {
    const proxy = facilitatorProxy(h.facilitatorUrl);
    const running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { header } = await signPayment(running, "/lease", body);
    proxy.verifyDown = true;
    const answer = await send(running, "/lease", body, header);
    expect(answer.status).toBe(503);
    expect((await errorOf(answer)).error).toBe("facilitator_unavailable");
    expect(running.agent.store.countByState().pending).toBe(0);
  });
});
