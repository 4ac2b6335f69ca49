// The facilitator faced with callers it cannot trust: junk fields, junk payments, floods. Real chain, real
// SDK-signed payments.
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { x402ExactPermit2ProxyAddress } from "@x402/evm";
import request from "supertest";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Facilitator } from "./buildFacilitator.ts";
import { type FacilitatorHarness, startFacilitatorHarness } from "./testing/facilitatorHarness.ts";
import { signExactPayment } from "./testing/signExactPayment.ts";

let h: FacilitatorHarness;

beforeAll(async () => {
  h = await startFacilitatorHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe("junk fields answer 400 and touch nothing", () => {
  let junkFacilitator: Facilitator;
  let genuine: PaymentPayload;
  beforeAll(async () => {
    junkFacilitator = h.build({}, "junk.sqlite");
    genuine = await signExactPayment({ account: h.payer, requirements: h.requirements });
  });

  type Body = { paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements };
  const authorization = (change: Record<string, unknown>) => (body: Body) => {
    const payload = body.paymentPayload.payload as { authorization: Record<string, unknown> };
    payload.authorization = { ...payload.authorization, ...change };
  };
  const payloadField = (change: Record<string, unknown>) => (body: Body) => {
    body.paymentPayload.payload = { ...body.paymentPayload.payload, ...change };
  };
  const requirementsField = (change: Record<string, unknown>) => (body: Body) => {
    body.paymentRequirements = { ...body.paymentRequirements, ...change } as PaymentRequirements;
  };
  const acceptedField = (change: Record<string, unknown>) => (body: Body) => {
    body.paymentPayload.accepted = { ...body.paymentPayload.accepted, ...change } as PaymentRequirements;
  };
  const table: [string, (body: Body) => void][] = [
    ['value "abc"', authorization({ value: "abc" })],
    ['value "1e3"', authorization({ value: "1e3" })],
    ['value "0x"', authorization({ value: "0x" })],
    ['value "0x10"', authorization({ value: "0x10" })],
    ['value ""', authorization({ value: "" })],
    ['value "-1"', authorization({ value: "-1" })],
    ['value "1.5"', authorization({ value: "1.5" })],
    ["value 2^256", authorization({ value: (2n ** 256n).toString() })],
    ["value as a number", authorization({ value: 1_500_000 })],
    ['validAfter "abc"', authorization({ validAfter: "abc" })],
    ['validAfter "1e3"', authorization({ validAfter: "1e3" })],
    ['validAfter "0x"', authorization({ validAfter: "0x" })],
    ['validBefore "abc"', authorization({ validBefore: "abc" })],
    ['validBefore "1e3"', authorization({ validBefore: "1e3" })],
    ['validBefore "0x"', authorization({ validBefore: "0x" })],
    // Once echoed back as the payer, a number, which made the SDK's client fail to parse the answer.
    ["from as a number", authorization({ from: 1234 })],
    ["to as a number", authorization({ to: 1234 })],
    ["from too short", authorization({ from: "0x1234" })],
    ["to with a broken checksum", authorization({ to: "0xF0000000000000000000000000000000000000Aa" })],
    ["from null", authorization({ from: null })],
    ["a nonce of 31 bytes", authorization({ nonce: `0x${"ab".repeat(31)}` })],
    ["a nonce of 33 bytes", authorization({ nonce: `0x${"ab".repeat(33)}` })],
    ["a nonce as a number", authorization({ nonce: 7 })],
    ['signature "nope"', payloadField({ signature: "nope" })],
    ['signature "0x"', payloadField({ signature: "0x" })],
    ["signature of odd length", payloadField({ signature: "0xabc" })],
    ["signature as a number", payloadField({ signature: 1 })],
    ["no authorization", payloadField({ authorization: undefined })],
    ["authorization as a string", payloadField({ authorization: "x" })],
    ['requirements amount "abc"', requirementsField({ amount: "abc" })],
    ['requirements amount "1e3"', requirementsField({ amount: "1e3" })],
    ['requirements asset "nope"', requirementsField({ asset: "nope" })],
    ['requirements payTo "0x1234"', requirementsField({ payTo: "0x1234" })],
    ["requirements EIP-712 name as a number", requirementsField({ extra: { name: 5, version: "2" } })],
    ['accepted amount "0x"', acceptedField({ amount: "0x" })],
    ['accepted payTo "0x1234"', acceptedField({ payTo: "0x1234" })],
  ];
  const cases = table.flatMap(([name, mutate]) =>
    (["/verify", "/settle"] as const).map((path) => [path, name, mutate] as const),
  );

  it.each(cases)("%s refuses %s with 400 invalid_request", async (path, _name, mutate) => {
    const nonceBefore = await h.signerNonce();
    const body = structuredClone({ paymentPayload: genuine, paymentRequirements: h.requirements }) as Body;
    mutate(body);
    const res = await request(junkFacilitator.app)
      .post(path)
      .send({ x402Version: 2, ...body })
      .expect(400);
    expect(res.body).toEqual({ error: "invalid_request", message: expect.any(String), details: expect.anything() });
    expect(h.ledgerRows(junkFacilitator)).toBe(0);
    expect(await h.signerNonce()).toBe(nonceBefore);
  });

  it("keeps the SDK's answers for a Permit2 payload", async () => {
    const permit2 = {
      ...genuine,
      payload: {
        signature: `0x${"11".repeat(65)}`,
        permit2Authorization: {
          from: h.payer.address,
          permitted: { token: h.token, amount: h.requirements.amount },
          spender: h.facilitatorAddress,
          nonce: "1",
          deadline: "99999999999",
          witness: { to: h.payTo, validAfter: "0" },
        },
      },
    };
    const res = await h.post(junkFacilitator.app, "/settle", permit2).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "unsupported_payload_type" });
    const verify = await h.post(junkFacilitator.app, "/verify", permit2).expect(200);
    expect(verify.body).toEqual({ isValid: false, invalidReason: "invalid_permit2_spender", payer: h.payer.address });
    expect(h.ledgerRows(junkFacilitator)).toBe(0);
  });

  it("treats a payload that also carries a Permit2 authorization as Permit2, as the SDK routes it", async () => {
    const mixed = h.build({}, "mixed.sqlite");
    const payment = await h.sdkPayment();
    expect((await h.post(mixed.app, "/settle", payment).expect(200)).body.success).toBe(true);
    const both = { ...payment, payload: { ...payment.payload, permit2Authorization: { from: h.payer.address } } };
    const res = await h.post(mixed.app, "/settle", both).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "unsupported_payload_type" });
    expect(h.ledgerRows(mixed)).toBe(1);
  });

  it("never answers a payer that is not a string", async () => {
    // Permit2 payloads go to the SDK unchecked, and it echoes their `from` as the payer, whatever it is.
    const permit2 = {
      ...genuine,
      payload: {
        signature: "0x11",
        permit2Authorization: {
          from: 1234,
          spender: x402ExactPermit2ProxyAddress,
          witness: { to: h.stranger(), validAfter: "0" },
        },
      },
    };
    for (const path of ["/verify", "/settle"] as const) {
      const res = await h.post(junkFacilitator.app, path, permit2).expect(200);
      expect(res.body.isValid ?? res.body.success).toBe(false);
      expect(res.body).not.toHaveProperty("payer");
    }
  });
});

describe("the ledger only records payments that verify", () => {
  it("writes no row for junk that passes the schema, and exactly one for a real settlement", async () => {
    const clean = h.build({}, "clean-ledger.sqlite");
    const now = BigInt(Math.floor(Date.now() / 1000));
    const poor = privateKeyToAccount(generatePrivateKey());
    const forged = async () => {
      const payment = await signExactPayment({ account: h.payer, requirements: h.requirements });
      const other = await signExactPayment({ account: poor, requirements: h.requirements });
      return {
        ...payment,
        payload: { ...payment.payload, signature: (other.payload as { signature: Hex }).signature },
      };
    };
    const junk: [PaymentPayload, PaymentRequirements][] = [
      [await forged(), h.requirements],
      [await forged(), h.requirements],
      [await signExactPayment({ account: h.payer, requirements: h.requirements, value: 1n }), h.requirements],
      [await signExactPayment({ account: h.payer, requirements: h.requirements, to: h.stranger() }), h.requirements],
      [await signExactPayment({ account: poor, requirements: h.requirements }), h.requirements],
      [
        await signExactPayment({ account: h.payer, requirements: h.requirements, validBefore: now - 10n }),
        h.requirements,
      ],
      [
        await signExactPayment({
          account: h.payer,
          requirements: h.requirements,
          validAfter: now + 600n,
          validBefore: now + 1200n,
        }),
        h.requirements,
      ],
    ];
    const notAToken = { ...h.requirements, asset: h.stranger() };
    junk.push([await signExactPayment({ account: h.payer, requirements: notAToken }), notAToken]);
    const nonceBefore = await h.signerNonce();
    for (const [payment, reqs] of junk) {
      const res = await h.post(clean.app, "/settle", payment, reqs).expect(200);
      expect(res.body.success).toBe(false);
      expect(typeof res.body.errorReason).toBe("string");
    }
    expect(clean.ledger.countByStatus()).toEqual({ pending: 0, submitted: 0, success: 0, failed: 0, dropped: 0 });
    expect(await h.signerNonce()).toBe(nonceBefore);

    const real = await h.post(clean.app, "/settle", await h.sdkPayment()).expect(200);
    expect(real.body.success).toBe(true);
    expect(clean.ledger.countByStatus()).toEqual({ pending: 0, submitted: 0, success: 1, failed: 0, dropped: 0 });
  });
});

describe("a settlement recorded just before its broadcast", () => {
  it("is recovered from the chain when the process died before it learned the hash", async () => {
    const first = h.build({}, "crash.sqlite");
    const payment = await h.sdkPayment();
    const settled = (await h.post(first.app, "/settle", payment).expect(200)).body;
    expect(settled.success).toBe(true);
    // What a crash between `beforeSend` and `sent` leaves behind: a pending row without a hash.
    const row = first.ledger.get(h.ledgerKey(payment));
    first.ledger.begin(row as NonNullable<typeof row>);
    await first.close();

    const restarted = h.build({}, "crash.sqlite");
    expect(restarted.ledger.get(h.ledgerKey(payment))).toMatchObject({ status: "pending", txHash: null });
    await restarted.service.reconcileUnfinished(0);
    expect(restarted.ledger.get(h.ledgerKey(payment))).toMatchObject({
      status: "success",
      txHash: settled.transaction,
    });
    const replay = await h.post(restarted.app, "/settle", payment).expect(200);
    expect(replay.body).toEqual(settled);
  });
});

describe("per-client rate limit", () => {
  it("answers 429 rate_limited with Retry-After once the bucket is empty", async () => {
    // 6 a minute: a burst of 1, then one every 10 s.
    const limited = h.build({ FACILITATOR_RATE_LIMIT_PER_MINUTE: "6" }, "limited.sqlite");
    await request(limited.app).post("/verify").send({ x402Version: 2 }).expect(400);
    const res = await request(limited.app).post("/settle").send({ x402Version: 2 }).expect(429);
    expect(res.body).toEqual({ error: "rate_limited", message: expect.any(String) });
    expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(10);
    // Only the paid routes are limited.
    await request(limited.app).get("/supported").expect(200);
  });

  it("exempts clients that present a valid API key", async () => {
    const keyed = h.build(
      { FACILITATOR_RATE_LIMIT_PER_MINUTE: "6", FACILITATOR_API_KEYS: "k-0123456789abcdef" },
      "limited-keyed.sqlite",
    );
    for (let i = 0; i < 5; i++) {
      await request(keyed.app)
        .post("/verify")
        .set("authorization", "Bearer k-0123456789abcdef")
        .send({ x402Version: 2 })
        .expect(400);
    }
    await request(keyed.app).post("/verify").send({ x402Version: 2 }).expect(401);
    await request(keyed.app).post("/verify").send({ x402Version: 2 }).expect(429);
  });

  it("is off with FACILITATOR_RATE_LIMIT_PER_MINUTE=0", async () => {
    const open = h.build({ FACILITATOR_RATE_LIMIT_PER_MINUTE: "0" }, "unlimited.sqlite");
    for (let i = 0; i < 5; i++) await request(open.app).post("/verify").send({ x402Version: 2 }).expect(400);
  });
});
