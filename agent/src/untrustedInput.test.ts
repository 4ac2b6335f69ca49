// Junk at the agent's edge gets a 4xx with a code, never a 5xx, never a ledger row, never a facilitator call.
import { LeaseQuote } from "@wg402/shared";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
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
let running: RunningAgent;
let proxy: ReturnType<typeof facilitatorProxy>;
let valid: PaymentPayload;
const body = { publicKey: "", minutes: 1 };

beforeAll(async () => {
  h = await startAgentHarness();
  proxy = facilitatorProxy(h.facilitatorUrl);
  running = await h.startAgent({ facilitatorUrl: await h.listen(proxy.app) });
  body.publicKey = h.randomKey();
  const quote = await postJson(fetch, `${running.url}/lease`, body);
  valid = await h
    .payingFetch()
    .client.createPaymentPayload(decodePaymentRequiredHeader(quote.headers.get("payment-required") as string));
});
afterAll(() => h?.close());

describe("paths the SDK's matcher would normalise", () => {
  it.each([
    "//lease",
    "/%6cease",
    "/lease//",
    "/lease%2f",
    "/lease/lease_00000000000000000000000000000000//renew",
    "/lease/%2e%2e/renew",
    "/LEASE",
  ])("POST %s is a 4xx with a code", async (path) => {
    const response = await fetch(`${running.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ publicKey: h.randomKey(), minutes: 1 }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect((await errorOf(response)).error).toMatch(/^[a-z_]+$/);
  });
});

/** A payment payload whose fields a test may set to anything. */
type Junk = {
  x402Version: unknown;
  accepted: Record<string, unknown>;
  payload: { signature?: unknown; authorization?: Record<string, unknown> };
};

describe("a PAYMENT-SIGNATURE with junk fields", () => {
  const mutate = (change: (p: Junk) => void): string => {
    const copy = structuredClone(valid) as unknown as Junk;
    change(copy);
    return encodePaymentSignatureHeader(copy as unknown as PaymentPayload);
  };
  it.each([
    ["from as a number", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).from = 42)],
    ["to as null", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).to = null)],
    ["value as text", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).value = "abc")],
    ["value in exponent form", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).value = "1e3")],
    ["validAfter as 0x", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).validAfter = "0x")],
    ["validBefore negative", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).validBefore = "-5")],
    ["a short nonce", (p: Junk) => ((p.payload.authorization as Record<string, unknown>).nonce = "0x1234")],
    ["a signature that is not hex", (p: Junk) => (p.payload.signature = "hello")],
    ["no authorization", (p: Junk) => delete p.payload.authorization],
    ["accepted without an asset", (p: Junk) => delete p.accepted.asset],
    ["x402Version 1", (p: Junk) => (p.x402Version = 1)],
    [
      "a value beyond uint256",
      (p: Junk) => ((p.payload.authorization as Record<string, unknown>).value = "9".repeat(80)),
    ],
  ])("%s → 400 invalid_payment_header", async (_label, change) => {
    const settlesBefore = proxy.settles;
    const response = await postJson(fetch, `${running.url}/lease`, body, { "payment-signature": mutate(change) });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error).toBe("invalid_payment_header");
    expect(running.agent.store.openPayments()).toEqual([]);
    expect(running.agent.store.countByState().pending).toBe(0);
    expect(proxy.settles).toBe(settlesBefore);
  });

  it("an unknown scheme → 400 unsupported_scheme", async () => {
    const response = await postJson(fetch, `${running.url}/lease`, body, {
      "payment-signature": mutate((p) => (p.accepted.scheme = "upto")),
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error).toBe("unsupported_scheme");
  });

  it("a forged signature → 402 with a reason, nothing reserved", async () => {
    const response = await postJson(fetch, `${running.url}/lease`, body, {
      "payment-signature": mutate((p) => (p.payload.signature = `0x${"11".repeat(65)}`)),
    });
    expect(response.status).toBe(402);
    expect((await errorOf(response)).error).toBe("payment_failed");
    expect(running.agent.store.countByState().pending).toBe(0);
  });
});

describe("the 402 on a node with a shortened minute", () => {
  it("states the real length of a billed minute", async () => {
    const fast = await h.startAgent({ env: { AGENT_SECONDS_PER_MINUTE: "2" } });
    const quote = await read(
      LeaseQuote,
      postJson(fetch, `${fast.url}/lease`, { publicKey: h.randomKey(), minutes: 3 }),
    );
    expect(quote.message).toMatch(/^3 billed minutes \(6 s on this node\) cost 0\.003 tUSD/);
    const normal = await read(
      LeaseQuote,
      postJson(fetch, `${running.url}/lease`, { publicKey: h.randomKey(), minutes: 1 }),
    );
    expect(normal.message).toMatch(/^1 minute costs 0\.001 tUSD/);
  });
});
