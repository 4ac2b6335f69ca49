import { leaseActionTypedData, paymentIdentityOf, UsageReceipt } from "@wg402/shared";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import express from "express";
import type { Hex, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AgentHarness, errorOf, postJson, randomWgKey, read, startAgentHarness } from "./testing/agentHarness.ts";
import { testPayment } from "./testing/testPayment.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const startAgent = (options?: Parameters<AgentHarness["startAgent"]>[0]) => h.startAgent(options);
const buyLease = (...args: Parameters<AgentHarness["buyLease"]>) => h.buyLease(...args);
const leaseAt = (url: string) => h.leaseAt(url);
const randomKey = randomWgKey;
const token = () => h.token();
const demo = () => h.demo();
const balanceOf = (address: Hex) => h.balanceOf(address);

describe("a facilitator that refuses to settle", () => {
  it("leaves the client with a 402, no lease, no peer and a free address", async () => {
    const stub = express();
    stub.use(express.json());
    const forward = async (path: string, req: express.Request, res: express.Response) => {
      const response = await fetch(`${h.facilitatorUrl}${path}`, {
        method: req.method,
        headers: { "content-type": "application/json" },
        body: req.method === "POST" ? JSON.stringify(req.body) : undefined,
      });
      res.status(response.status).json(await response.json());
    };
    stub.get("/supported", (req, res) => forward("/supported", req, res));
    stub.post("/verify", (req, res) => forward("/verify", req, res));
    stub.post("/settle", (_req, res) => {
      // A refusal before broadcasting (the payer's balance left between verify and settle).
      res.json({
        success: false,
        errorReason: "invalid_exact_evm_insufficient_balance",
        transaction: "",
        network: "eip155:31337",
      });
    });
    const running = await startAgent({ facilitatorUrl: await h.listen(stub) });
    const capacityBefore = running.agent.store.capacity(Date.now()).available;
    const payerBefore = await balanceOf(demo().address);

    const { response, publicKey } = await buyLease(running, 2);
    expect(response.status).toBe(402);
    expect(running.agent.store.liveLeaseForKey(publicKey)).toBeUndefined();
    expect(await running.driver.listPeers()).toEqual([]);
    expect(running.agent.store.capacity(Date.now()).available).toBe(capacityBefore);
    expect(await balanceOf(demo().address)).toBe(payerBefore);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/agent_payment_failures_total\{reason="[a-z_]+"\} 1/);
  });
});

describe("restart", () => {
  it("restores active leases with their original expiry, and drops stale reservations", async () => {
    const first = await startAgent();
    const { body, publicKey } = await buyLease(first, 4);
    // A reservation whose authorization expired unspent long ago: it can never settle.
    const stale = first.agent.store.createPendingLease({
      id: `lease_${"ab".repeat(16)}`,
      publicKey: randomKey(),
      now: Date.now() - 10 * 60_000,
      payment: testPayment({
        minutes: 1,
        asset: token(),
        payer: demo().address,
        payTo: h.chain.stack.accounts.operator.address as Hex,
        validBefore: Math.floor(Date.now() / 1000) - 8 * 60,
      }),
    });
    await first.agent.close();

    const second = await startAgent({ dbPath: first.dbPath });
    const lease = await leaseAt(`${second.url}/lease/${body.lease.id}`);
    expect(lease).toMatchObject({ state: "active", expiresAt: body.lease.expiresAt, address: body.lease.address });
    expect(await second.driver.listPeers()).toEqual([
      expect.objectContaining({ publicKey, allowedIps: [`${body.lease.address}/32`] }),
    ]);
    expect(second.agent.store.getLease(stale.id)).toBeUndefined();
  });
});

describe("a payment that settled while the agent was down", () => {
  it("is honoured on restart: the lease is active and the payment carries its tx hash", async () => {
    const first = await startAgent();
    // What a crash between the facilitator's settlement and the after-settle hook leaves behind: a pending
    // reservation in the ledger, and a spent authorization on-chain.
    const publicKey = randomKey();
    const required = await postJson(fetch, `${first.url}/lease`, { publicKey, minutes: 3 });
    const paymentRequired = decodePaymentRequiredHeader(required.headers.get("payment-required") as string);
    const payment = await h.payingFetch().client.createPaymentPayload(paymentRequired);
    const identity = paymentIdentityOf(payment);
    if (!identity.ok) throw new Error(identity.message);
    const reserved = first.agent.leases.reserveLease(publicKey, {
      identity: identity.identity,
      target: `create:${publicKey}:3`,
      minutes: 3,
      megabytes: 0,
      payload: payment,
      requirements: paymentRequired.accepts[0],
    });
    await first.agent.close();
    const settled = await postJson(fetch, `${h.facilitatorUrl}/settle`, {
      x402Version: 2,
      paymentPayload: payment,
      paymentRequirements: paymentRequired.accepts[0],
    });
    const settlement = (await settled.json()) as { success: boolean; transaction: string };
    expect(settlement.success).toBe(true);

    const second = await startAgent({ dbPath: first.dbPath });
    const lease = await leaseAt(`${second.url}/lease/${reserved.id}`);
    expect(lease).toMatchObject({ state: "active", publicKey, totalPaid: "3000" });
    expect(lease.payments).toEqual([expect.objectContaining({ txHash: settlement.transaction })]);
    expect(await second.driver.listPeers()).toEqual([expect.objectContaining({ publicKey })]);
  });
});

describe("DELETE /lease/:id", () => {
  const sign = (account: LocalAccount, leaseId: string, timestamp = Math.floor(Date.now() / 1000)) =>
    account
      .signTypedData(leaseActionTypedData({ chainId: 31337, leaseId, action: "close", timestamp }))
      .then((signature) => ({ timestamp, signature }));
  const del = (url: string, body?: unknown) =>
    fetch(url, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("lets only the payer close, with a fresh signature, and returns the usage receipt", async () => {
    const running = await startAgent();
    const { body, publicKey } = await buyLease(running, 3);
    const leaseUrl = `${running.url}/lease/${body.lease.id}`;
    running.driver.addTraffic(publicKey, 1_000, 5_000);

    expect((await del(leaseUrl)).status).toBe(401);
    const stranger = await del(leaseUrl, await sign(privateKeyToAccount(generatePrivateKey()), body.lease.id));
    expect(stranger.status).toBe(403);
    expect((await errorOf(stranger)).error).toBe("forbidden");
    const stale = await del(leaseUrl, await sign(demo(), body.lease.id, Math.floor(Date.now() / 1000) - 3600));
    expect(stale.status).toBe(401);
    expect((await errorOf(stale)).error).toBe("stale_signature");
    const otherLease = await del(leaseUrl, await sign(demo(), `lease_${"cd".repeat(16)}`));
    expect(otherLease.status).toBe(403);

    const closed = await del(leaseUrl, await sign(demo(), body.lease.id));
    expect(closed.status).toBe(200);
    expect(await read(UsageReceipt, closed)).toMatchObject({
      leaseId: body.lease.id,
      state: "closed",
      payer: demo().address,
      bytesUp: 1_000,
      bytesDown: 5_000,
      totalPaid: "3000",
    });
    expect(await running.driver.listPeers()).toEqual([]);
    expect((await leaseAt(leaseUrl)).state).toBe("closed");
    expect((await del(leaseUrl, await sign(demo(), body.lease.id))).status).toBe(409);
  });
});
