// The agent's lease API against a real hardhat node and the real facilitator, paid the way any third party
// would pay: the official @x402/fetch wrapper with a viem account. Balances are read back from the chain.
import { randomBytes } from "node:crypto";
import { LeaseQuote, NodeInfo, RenewLeaseResponse } from "@wg402/shared";
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from "@x402/core/http";
import type { Hex, LocalAccount } from "viem";
import { z } from "zod";
import { type AgentHarness, errorOf, postJson, randomWgKey, read, startAgentHarness } from "./testing/agentHarness.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const startAgent = (options?: Parameters<AgentHarness["startAgent"]>[0]) => h.startAgent(options);
const buyLease = (...args: Parameters<AgentHarness["buyLease"]>) => h.buyLease(...args);
const payingFetch = (account?: LocalAccount) => h.payingFetch(account);
const leaseAt = (url: string) => h.leaseAt(url);
const randomKey = randomWgKey;
const token = () => h.token();
const demo = () => h.demo();
const balanceOf = (address: Hex) => h.balanceOf(address);
const ReadyReport = z.object({ checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string() })) });

describe("GET /", () => {
  it("describes the node, its price and how to pay it", async () => {
    const { url } = await startAgent();
    const info = await read(NodeInfo, fetch(`${url}/`));
    expect(info).toMatchObject({
      pricePerMinute: "1000",
      minMinutes: 1,
      maxMinutes: 600,
      subnet: "10.77.0.0/24",
      endpoint: "127.0.0.1:51820",
      facilitator: h.facilitatorUrl,
      capacity: { total: 253, available: 253 },
      accepts: [
        {
          scheme: "exact",
          network: "eip155:31337",
          asset: token(),
          decimals: 6,
          payTo: h.chain.stack.accounts.operator.address,
        },
      ],
    });
  });
});

describe("POST /lease", () => {
  it("answers 402 with the x402 PAYMENT-REQUIRED header and a readable quote", async () => {
    const { url } = await startAgent();
    const response = await postJson(fetch, `${url}/lease`, { publicKey: randomKey(), minutes: 7 });
    expect(response.status).toBe(402);
    const required = decodePaymentRequiredHeader(response.headers.get("payment-required") as string);
    expect(required.accepts[0]).toMatchObject({
      scheme: "exact",
      network: "eip155:31337",
      amount: "7000",
      asset: token(),
      payTo: h.chain.stack.accounts.operator.address,
      extra: { name: h.chain.stack.token.eip712.name, version: h.chain.stack.token.eip712.version },
    });
    expect(await read(LeaseQuote, response)).toMatchObject({
      error: "payment_required",
      minutes: 7,
      pricePerMinute: "1000",
      total: "7000",
      totalFormatted: "0.007",
    });
  });

  it("sells a lease: pays on-chain, activates it with a peer, and returns a ready config", async () => {
    const running = await startAgent();
    const before = await balanceOf(h.chain.stack.accounts.operator.address as Hex);
    const { response, body, publicKey } = await buyLease(running, 3);
    expect(response.status).toBe(201);
    const receipt = decodePaymentResponseHeader(response.headers.get("payment-response") as string);
    expect(receipt).toMatchObject({ success: true, payer: demo().address });
    expect(await balanceOf(h.chain.stack.accounts.operator.address as Hex)).toBe(before + 3_000n);

    expect(body.lease).toMatchObject({ state: "active", publicKey, payer: demo().address, totalPaid: "3000" });
    expect(body.lease.address).toMatch(/^10\.77\.0\.\d+$/);
    expect(Date.parse(body.lease.expiresAt) - Date.parse(body.lease.createdAt)).toBe(3 * 60_000);
    expect(body.tunnel.configText).toContain("PrivateKey = PRIVATE_KEY_PLACEHOLDER");
    expect(body.tunnel.configText).toContain(`Address = ${body.lease.address}/32`);
    expect(body.tunnel.configText).toContain("Endpoint = 127.0.0.1:51820");

    const peers = await running.driver.listPeers();
    expect(peers).toEqual([expect.objectContaining({ publicKey, allowedIps: [`${body.lease.address}/32`] })]);
    const lease = await leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(lease.payments).toEqual([
      expect.objectContaining({ txHash: receipt.transaction, amount: "3000", minutes: 3 }),
    ]);
    expect(lease.state).toBe("active");
  });

  it("refuses a second lease for the same key with 409 before asking for money, naming no lease", async () => {
    const running = await startAgent();
    const { body, publicKey } = await buyLease(running, 1);
    const response = await postJson(fetch, `${running.url}/lease`, { publicKey, minutes: 1 });
    expect(response.status).toBe(409);
    expect(response.headers.get("payment-required")).toBeNull();
    const error = await errorOf(response);
    expect(error.error).toBe("lease_exists");
    // Knowing a public key is no proof of having paid: the answer must not point to the lease.
    expect(JSON.stringify(error)).not.toContain(body.lease.id);
  });

  it("never sells a second lease with a replayed PAYMENT-SIGNATURE", async () => {
    const running = await startAgent();
    const { sent } = await buyLease(running, 2);
    const replayKey = randomKey();
    const before = await balanceOf(demo().address);
    const replay = await postJson(
      fetch,
      `${running.url}/lease`,
      { publicKey: replayKey, minutes: 2 },
      { "payment-signature": sent[0] as string },
    );
    // The payment already bought a lease for another key: refused before any verification.
    expect(replay.status).toBe(409);
    expect((await errorOf(replay)).error).toBe("payment_replayed");
    expect(running.agent.store.liveLeaseForKey(replayKey)).toBeUndefined();
    expect(await running.driver.listPeers()).toHaveLength(1);
    expect(await balanceOf(demo().address)).toBe(before);
  });
});

describe("bad input is refused before any price, never with a 5xx", () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await startAgent());
  });
  const key = randomKey();

  it.each([
    ["a 31-byte key", { publicKey: randomBytes(31).toString("base64"), minutes: 1 }, "invalid_public_key"],
    ["a key with a newline", { publicKey: `${key}\n`, minutes: 1 }, "invalid_public_key"],
    ["a key with extra text", { publicKey: `${key} hello`, minutes: 1 }, "invalid_public_key"],
    ["no key", { minutes: 1 }, "invalid_public_key"],
    ["zero minutes", { publicKey: key, minutes: 0 }, "invalid_minutes"],
    ["fractional minutes", { publicKey: key, minutes: 1.5 }, "invalid_minutes"],
    ["minutes as a string", { publicKey: key, minutes: "5" }, "invalid_minutes"],
    ["too many minutes", { publicKey: key, minutes: 601 }, "invalid_minutes"],
    ["unknown fields", { publicKey: key, minutes: 1, admin: true }, "invalid_request"],
    ["an array", [key, 1], "invalid_request"],
  ])("POST /lease with %s → 400", async (_label, body, code) => {
    const response = await postJson(fetch, `${url}/lease`, body);
    expect(response.status).toBe(400);
    expect(response.headers.get("payment-required")).toBeNull();
    expect(await errorOf(response)).toMatchObject({ error: code, message: expect.any(String) });
  });

  it("refuses malformed JSON with 400 invalid_json", async () => {
    const response = await fetch(`${url}/lease`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"publicKey":',
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error).toBe("invalid_json");
  });

  it("refuses an oversized body with 413", async () => {
    const response = await postJson(fetch, `${url}/lease`, { publicKey: key, minutes: 1, pad: "x".repeat(20_000) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).error).toBe("payload_too_large");
  });

  it.each([
    ["not base64", "%%%not-base64%%%"],
    ["base64 of text", Buffer.from("hello").toString("base64")],
    ["base64 of a JSON number", Buffer.from("42").toString("base64")],
  ])("refuses a PAYMENT-SIGNATURE that is %s with 400", async (_label, header) => {
    const response = await postJson(
      fetch,
      `${url}/lease`,
      { publicKey: randomKey(), minutes: 1 },
      { "payment-signature": header },
    );
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error).toBe("invalid_payment_header");
  });

  it.each([
    ["GET", "/lease/lease_00000000000000000000000000000000"],
    ["GET", "/lease/not-a-lease"],
    ["POST", "/lease/lease_00000000000000000000000000000000/renew"],
    ["DELETE", "/lease/lease_00000000000000000000000000000000"],
  ])("%s %s for an unknown lease → 404", async (method, path) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: method === "GET" ? undefined : JSON.stringify({ minutes: 1 }),
    });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).error).toBe("lease_not_found");
  });
});

describe("POST /lease/:id/renew", () => {
  it("extends from the current expiry, after settlement, without rewriting the peer", async () => {
    const running = await startAgent();
    const { body, publicKey } = await buyLease(running, 2);
    const writesBefore = running.driver.writes.length;
    const payer = payingFetch();
    const response = await postJson(payer.fetch, `${running.url}/lease/${body.lease.id}/renew`, { minutes: 5 });
    expect(response.status).toBe(200);
    const renewed = await read(RenewLeaseResponse, response);
    const expected = Date.parse(body.lease.expiresAt) + 5 * 60_000;
    expect(Date.parse(renewed.lease.expiresAt)).toBe(expected);
    const lease = await leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(Date.parse(lease.expiresAt)).toBe(expected);
    expect(lease.totalPaid).toBe("7000");
    expect(lease.payments).toHaveLength(2);
    expect(running.driver.writes.slice(writesBefore).filter((w) => w.publicKey === publicKey)).toEqual([]);

    // The renewal's payment cannot buy a second renewal: the same request again gets the same answer.
    const replay = await postJson(
      fetch,
      `${running.url}/lease/${body.lease.id}/renew`,
      { minutes: 5 },
      { "payment-signature": payer.sent[0] as string },
    );
    expect(replay.status).toBe(200);
    expect((await read(RenewLeaseResponse, replay)).lease.expiresAt).toBe(renewed.lease.expiresAt);
    const after = await leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(after.expiresAt).toBe(lease.expiresAt);
    expect(after.payments).toHaveLength(2);
  });

  it("counts two concurrent renewals of one lease", async () => {
    const running = await startAgent();
    const { body } = await buyLease(running, 1);
    const [a, b] = await Promise.all([
      postJson(payingFetch().fetch, `${running.url}/lease/${body.lease.id}/renew`, { minutes: 2 }),
      postJson(payingFetch().fetch, `${running.url}/lease/${body.lease.id}/renew`, { minutes: 3 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const lease = await leaseAt(`${running.url}/lease/${body.lease.id}`);
    expect(Date.parse(lease.expiresAt) - Date.parse(body.lease.expiresAt)).toBe(5 * 60_000);
    expect(lease.totalPaid).toBe("6000");
  });
});

describe("operations", () => {
  it("reports health, readiness and Prometheus metrics", async () => {
    const running = await startAgent();
    await buyLease(running, 1);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await read(ReadyReport, ready)).checks).toMatchObject({
      wireguard: { ok: true },
      facilitator: { ok: true },
    });
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/agent_active_leases 1/);
    expect(metrics).toMatch(/agent_lease_events_total\{event="created"\} 1/);
    expect(metrics).toContain("agent_http_request_duration_seconds_bucket");

    const down = await startAgent({ facilitatorUrl: "http://127.0.0.1:9" });
    const notReady = await fetch(`${down.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect((await read(ReadyReport, notReady)).checks.facilitator?.ok).toBe(false);
  });
});
