// Who may learn what about a lease: anyone its state and expiry, only its payer (by signature) the rest.
// Anyone may pay to renew it (a gift). Lease answers are never cached.
import {
  CreateLeaseResponse,
  chains,
  LEASE_AUTH_HEADER,
  Lease,
  LeaseSummary,
  leaseActionTypedData,
  x402TestUSDAbi,
} from "@wg402/shared";
import { createWalletClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AgentHarness, errorOf, postJson, read, startAgentHarness } from "./testing/agentHarness.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

describe("GET /lease/:id", () => {
  it("tells a stranger only the id, state and expiry, and the payer everything", async () => {
    const running = await h.startAgent();
    const { body } = await h.buyLease(running, 2);
    const url = `${running.url}/lease/${body.lease.id}`;

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toBe("no-store");
    const summary = await read(LeaseSummary, anonymous); // strict: no other field
    expect(summary).toEqual({ id: body.lease.id, state: "active", expiresAt: body.lease.expiresAt });

    const full = await fetch(url, { headers: await h.viewAuth(body.lease.id) });
    expect(full.headers.get("cache-control")).toBe("no-store");
    expect(await read(Lease, full)).toMatchObject({ payer: h.demo().address, address: body.lease.address });
  });

  it("refuses a stranger's signature, a stale or future-dated one, and a malformed header", async () => {
    const running = await h.startAgent();
    const { body } = await h.buyLease(running, 1);
    const url = `${running.url}/lease/${body.lease.id}`;
    const now = Math.floor(Date.now() / 1000);

    const stranger = await fetch(url, {
      headers: await h.viewAuth(body.lease.id, privateKeyToAccount(generatePrivateKey())),
    });
    expect(stranger.status).toBe(403);
    expect((await errorOf(stranger)).error).toBe("forbidden");
    const stale = await fetch(url, { headers: await h.viewAuth(body.lease.id, h.demo(), now - 600) });
    expect((await errorOf(stale)).error).toBe("stale_signature");
    const future = await fetch(url, { headers: await h.viewAuth(body.lease.id, h.demo(), now + 60) });
    expect(future.status).toBe(401);
    expect((await errorOf(future)).error).toBe("stale_signature");
    for (const junk of ["", "abc", `${now}.0x12`, `${now}.${"ab".repeat(65)}.x`]) {
      const response = await fetch(url, { headers: { [LEASE_AUTH_HEADER]: junk } });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).error).toBe("invalid_signature");
    }
  });

  it("a signature for another lease, or for closing, does not open this one", async () => {
    const running = await h.startAgent();
    const { body } = await h.buyLease(running, 1);
    const { body: other } = await h.buyLease(running, 1);
    const timestamp = Math.floor(Date.now() / 1000);
    const forOther = await h.viewAuth(other.lease.id);
    expect((await fetch(`${running.url}/lease/${body.lease.id}`, { headers: forOther })).status).toBe(403);
    const closeSignature = await h
      .demo()
      .signTypedData(leaseActionTypedData({ chainId: 31337, leaseId: body.lease.id, action: "close", timestamp }));
    const asClose = await fetch(`${running.url}/lease/${body.lease.id}`, {
      headers: { [LEASE_AUTH_HEADER]: `${timestamp}.${closeSignature}` },
    });
    expect(asClose.status).toBe(403);
  });
});

describe("the lease's bearer token", () => {
  it("comes once, in the first answer, and opens the full view without a wallet", async () => {
    const running = await h.startAgent();
    const body = { publicKey: h.randomKey(), minutes: 1 };
    const { sent, response } = await (async () => {
      const payer = h.payingFetch();
      const response = await postJson(payer.fetch, `${running.url}/lease`, body);
      return { sent: payer.sent, response };
    })();
    const created = await read(CreateLeaseResponse, response);
    expect(created.leaseToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const url = `${running.url}/lease/${created.lease.id}`;
    const full = await fetch(url, { headers: { authorization: `Bearer ${created.leaseToken}` } });
    expect(await read(Lease, full)).toMatchObject({ id: created.lease.id, payer: h.demo().address });
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${"x".repeat(32)}` } });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).error).toBe("unauthorized");

    // A copy of the paid request gets the same lease, but not the token again.
    const copy = await postJson(fetch, `${running.url}/lease`, body, { "payment-signature": sent[0] as string });
    expect(copy.status).toBe(201);
    const replayed = await read(CreateLeaseResponse, copy);
    expect(replayed.lease.id).toBe(created.lease.id);
    expect(replayed.leaseToken).toBeUndefined();
  });
});

describe("DELETE /lease/:id", () => {
  const close = (url: string, leaseId: string, timestamp: number) =>
    h
      .demo()
      .signTypedData(leaseActionTypedData({ chainId: 31337, leaseId, action: "close", timestamp }))
      .then((signature) =>
        fetch(url, {
          method: "DELETE",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ timestamp, signature }),
        }),
      );

  it("accepts only a few seconds of future skew", async () => {
    const running = await h.startAgent();
    const { body } = await h.buyLease(running, 1);
    const url = `${running.url}/lease/${body.lease.id}`;
    const now = Math.floor(Date.now() / 1000);
    const ahead = await close(url, body.lease.id, now + 120);
    expect(ahead.status).toBe(401);
    expect((await errorOf(ahead)).error).toBe("stale_signature");
    expect((await close(url, body.lease.id, now + 2)).status).toBe(200);
  });
});

describe("a renewal is a gift", () => {
  it("anyone may pay to renew someone else's lease, which does not make them its payer", async () => {
    const running = await h.startAgent();
    const { body } = await h.buyLease(running, 1);
    const friend = privateKeyToAccount(generatePrivateKey());
    const wallet = createWalletClient({ account: h.demo(), chain: chains.local.viem, transport: http(h.chain.rpcUrl) });
    const funding = await wallet.writeContract({
      address: h.token(),
      abi: x402TestUSDAbi,
      functionName: "transfer",
      args: [friend.address, 10_000n],
    });
    await h.publicClient.waitForTransactionReceipt({ hash: funding });

    const gift = await postJson(h.payingFetch(friend).fetch, `${running.url}/lease/${body.lease.id}/renew`, {
      minutes: 2,
    });
    expect(gift.status).toBe(200);
    const lease = await h.leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(Date.parse(lease.expiresAt) - Date.parse(body.lease.expiresAt)).toBe(2 * 60_000);
    expect(lease.payer).toBe(h.demo().address);
    expect(lease.payments.map((p) => p.payer)).toEqual([h.demo().address, friend.address]);
    // The friend paid, but only the payer may read the lease in full.
    const asFriend = await fetch(`${running.url}/lease/${body.lease.id}`, {
      headers: await h.viewAuth(body.lease.id, friend),
    });
    expect(asFriend.status).toBe(403);
  });
});
