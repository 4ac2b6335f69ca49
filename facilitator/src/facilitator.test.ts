import { paymentIdentityOf } from "@wg402/shared";
// The facilitator against a real hardhat node: real client signatures from the official SDK, real
// settlements, balances and nonces read back from the chain.
import type { PaymentRequirements, SettleResponse } from "@x402/core/types";
import request from "supertest";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Facilitator } from "./buildFacilitator.ts";
import { type FacilitatorHarness, startFacilitatorHarness } from "./testing/facilitatorHarness.ts";
import { signExactPayment } from "./testing/signExactPayment.ts";

let h: FacilitatorHarness;
let facilitator: Facilitator;
let requirements: PaymentRequirements;

const build = (env: Record<string, string> = {}, dbName?: string) => h.build(env, dbName);
const token = () => h.token;
const payer = () => h.payer;
const payTo = () => h.payTo;
const facilitatorAddress = () => h.facilitatorAddress;
const balanceOf = (address: Hex) => h.balanceOf(address);
const signerNonce = () => h.signerNonce();
const sdkPayment = () => h.sdkPayment();
const post = (...args: Parameters<FacilitatorHarness["post"]>) => h.post(...args);

beforeAll(async () => {
  h = await startFacilitatorHarness();
  requirements = h.requirements;
  facilitator = build();
});

afterAll(async () => {
  await h?.stop();
});

describe("GET /supported", () => {
  it("lists the exact scheme on the local chain and the signer", async () => {
    const res = await request(facilitator.app).get("/supported").expect(200);
    expect(res.body.kinds).toContainEqual(
      expect.objectContaining({ x402Version: 2, scheme: "exact", network: "eip155:31337" }),
    );
    expect(Object.values(res.body.signers).flat()).toContain(facilitatorAddress());
  });
});

describe("POST /verify", () => {
  it("accepts a genuine SDK payment and sends no transaction", async () => {
    const nonceBefore = await signerNonce();
    const res = await post(facilitator.app, "/verify", await sdkPayment()).expect(200);
    expect(res.body).toEqual({ isValid: true, payer: payer().address });
    expect(await signerNonce()).toBe(nonceBefore);
  });
});

describe("POST /settle", () => {
  it("settles a genuine SDK payment on-chain and records it", async () => {
    const [fromBefore, toBefore] = await Promise.all([balanceOf(payer().address), balanceOf(payTo())]);
    const payment = await sdkPayment();
    const res = await post(facilitator.app, "/settle", payment).expect(200);
    expect(res.body).toMatchObject({ success: true, network: "eip155:31337", payer: payer().address });
    expect(res.body.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await h.publicClient.getTransactionReceipt({ hash: res.body.transaction });
    expect(receipt.status).toBe("success");
    expect(await balanceOf(payer().address)).toBe(fromBefore - 1_500_000n);
    expect(await balanceOf(payTo())).toBe(toBefore + 1_500_000n);
    expect(facilitator.ledger.countByStatus().success).toBeGreaterThanOrEqual(1);
  });

  it("settles the same payment twice in a row with one transfer and the same answer", async () => {
    const payment = await sdkPayment();
    const toBefore = await balanceOf(payTo());
    const nonceBefore = await signerNonce();
    const first = await post(facilitator.app, "/settle", payment).expect(200);
    const second = await post(facilitator.app, "/settle", payment).expect(200);
    expect(first.body.success).toBe(true);
    expect(second.body).toEqual(first.body);
    expect(await balanceOf(payTo())).toBe(toBefore + 1_500_000n);
    expect(await signerNonce()).toBe(nonceBefore + 1);
  });

  it("settles the same payment sent concurrently with one transfer", async () => {
    const payment = await sdkPayment();
    const toBefore = await balanceOf(payTo());
    const nonceBefore = await signerNonce();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(facilitator.app, "/settle", payment)));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]?.body);
    expect(answers[0]?.body.success).toBe(true);
    expect(await balanceOf(payTo())).toBe(toBefore + 1_500_000n);
    expect(await signerNonce()).toBe(nonceBefore + 1);
  });

  it("answers a replay after a restart from the ledger, with no second transaction", async () => {
    const first = build({}, "restart.sqlite");
    const payment = await sdkPayment();
    const settled = await post(first.app, "/settle", payment).expect(200);
    expect(settled.body.success).toBe(true);
    await first.close();

    const nonceBefore = await signerNonce();
    const toBefore = await balanceOf(payTo());
    const second = build({}, "restart.sqlite");
    const replay = await post(second.app, "/settle", payment).expect(200);
    expect(replay.body).toEqual(settled.body);
    expect(await signerNonce()).toBe(nonceBefore);
    expect(await balanceOf(payTo())).toBe(toBefore);
  });

  it("recognises a payment already settled on-chain by someone else and sends nothing", async () => {
    const payment = await sdkPayment();
    const other = build({}, "other-relayer.sqlite");
    const settled = await post(other.app, "/settle", payment).expect(200);
    const nonceBefore = await signerNonce();
    const res = await post(facilitator.app, "/settle", payment).expect(200);
    expect(res.body).toMatchObject({ success: true, transaction: settled.body.transaction });
    expect(await signerNonce()).toBe(nonceBefore);
  });

  it("lands 20 concurrent settlements from one signer without nonce collisions", async () => {
    const payments = await Promise.all(Array.from({ length: 20 }, () => sdkPayment()));
    const toBefore = await balanceOf(payTo());
    const nonceBefore = await signerNonce();
    const answers = await Promise.all(payments.map((payment) => post(facilitator.app, "/settle", payment)));
    const hashes = new Set(answers.map((a) => (a.body as SettleResponse).transaction));
    expect(answers.filter((a) => a.body.success !== true).map((a) => a.body)).toEqual([]);
    expect(hashes.size).toBe(20);
    expect(await signerNonce()).toBe(nonceBefore + 20);
    expect(await balanceOf(payTo())).toBe(toBefore + 20n * 1_500_000n);
  });
});

describe("bad input never reaches the chain", () => {
  let nonceBefore: number;
  let payerBefore: bigint;
  beforeEach(async () => {
    nonceBefore = await signerNonce();
    payerBefore = await balanceOf(payer().address);
  });
  afterEach(async () => {
    expect(await signerNonce()).toBe(nonceBefore);
    expect(await balanceOf(payer().address)).toBe(payerBefore);
  });

  it("refuses malformed JSON with 400 invalid_json", async () => {
    const res = await request(facilitator.app)
      .post("/settle")
      .set("content-type", "application/json")
      .send('{"x402Version":')
      .expect(400);
    expect(res.body.error).toBe("invalid_json");
  });

  it("refuses a body without the payment fields with 400 invalid_request", async () => {
    const res = await request(facilitator.app).post("/verify").send({ x402Version: 2 }).expect(400);
    expect(res.body).toMatchObject({ error: "invalid_request", message: expect.any(String) });
  });

  it("refuses a malformed payment payload with 400", async () => {
    const res = await post(facilitator.app, "/settle", { x402Version: 2, payload: "nope" }).expect(400);
    expect(res.body.error).toBe("invalid_request");
  });

  it("refuses x402 version 1 with 400", async () => {
    const res = await request(facilitator.app)
      .post("/verify")
      .send({ x402Version: 1, paymentPayload: {}, paymentRequirements: {} })
      .expect(400);
    expect(res.body.error).toBe("unsupported_x402_version");
  });

  it("refuses an oversized body with 413", async () => {
    const res = await request(facilitator.app)
      .post("/settle")
      .send({ x402Version: 2, pad: "x".repeat(70_000) })
      .expect(413);
    expect(res.body.error).toBe("payload_too_large");
  });

  it("refuses a non-JSON body with 415", async () => {
    const res = await request(facilitator.app)
      .post("/settle")
      .set("content-type", "text/plain")
      .send("hello")
      .expect(415);
    expect(res.body.error).toBe("unsupported_media_type");
  });

  it("refuses an unknown network", async () => {
    const other = { ...requirements, network: "eip155:999999" as const };
    const payment = await signExactPayment({ account: payer(), requirements: other });
    const res = await post(facilitator.app, "/settle", payment, other).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "unsupported_network" });
  });

  it("refuses an unknown scheme", async () => {
    const other = { ...requirements, scheme: "upto" };
    const payment = await signExactPayment({ account: payer(), requirements: other });
    const res = await post(facilitator.app, "/verify", payment, other).expect(200);
    expect(res.body).toMatchObject({ isValid: false, invalidReason: "unsupported_scheme" });
  });

  it("refuses an authorization for a different amount", async () => {
    const payment = await signExactPayment({ account: payer(), requirements, value: 1n });
    const verify = await post(facilitator.app, "/verify", payment).expect(200);
    expect(verify.body).toMatchObject({
      isValid: false,
      invalidReason: "invalid_exact_evm_payload_authorization_value_mismatch",
    });
    const settle = await post(facilitator.app, "/settle", payment).expect(200);
    expect(settle.body).toMatchObject({
      success: false,
      errorReason: "invalid_exact_evm_payload_authorization_value_mismatch",
    });
  });

  it("refuses an expired authorization", async () => {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const payment = await signExactPayment({ account: payer(), requirements, validBefore: now - 10n });
    const res = await post(facilitator.app, "/settle", payment).expect(200);
    expect(res.body).toMatchObject({
      success: false,
      errorReason: "invalid_exact_evm_payload_authorization_valid_before",
    });
  });

  it("refuses an authorization that is not valid yet", async () => {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const payment = await signExactPayment({
      account: payer(),
      requirements,
      validAfter: now + 600n,
      validBefore: now + 1200n,
    });
    const res = await post(facilitator.app, "/verify", payment).expect(200);
    expect(res.body).toMatchObject({
      isValid: false,
      invalidReason: "invalid_exact_evm_payload_authorization_valid_after",
    });
  });

  it("refuses a signature from someone other than the payer", async () => {
    const payment = await signExactPayment({ account: payer(), requirements });
    const forged = await signExactPayment({ account: privateKeyToAccount(generatePrivateKey()), requirements });
    const mixed = {
      ...payment,
      payload: { ...payment.payload, signature: (forged.payload as { signature: string }).signature },
    };
    const res = await post(facilitator.app, "/settle", mixed).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "invalid_exact_evm_signature" });
  });

  it("refuses a payer without the balance", async () => {
    const poor = privateKeyToAccount(generatePrivateKey());
    const payment = await signExactPayment({ account: poor, requirements });
    const res = await post(facilitator.app, "/verify", payment).expect(200);
    expect(res.body.isValid).toBe(false);
    expect(res.body.invalidReason).toMatch(/insufficient|simulation/);
    const settle = await post(facilitator.app, "/settle", payment).expect(200);
    expect(settle.body.success).toBe(false);
  });

  it("refuses a second authorization that reuses a settled nonce", async () => {
    const nonce = `0x${"ab".repeat(32)}` as Hex;
    const settled = await post(
      facilitator.app,
      "/settle",
      await signExactPayment({ account: payer(), requirements, nonce }),
    ).expect(200);
    expect(settled.body.success).toBe(true);
    // This one did move money: re-baseline, then check the replay moves nothing.
    nonceBefore = await signerNonce();
    payerBefore = await balanceOf(payer().address);
    const cheaper = { ...requirements, amount: "1000" };
    const replay = await signExactPayment({ account: payer(), requirements: cheaper, nonce });
    const res = await post(facilitator.app, "/settle", replay, cheaper).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "authorization_nonce_used" });
  });
});

describe("operator controls", () => {
  it("requires a valid bearer API key when keys are configured", async () => {
    const guarded = build({ FACILITATOR_API_KEYS: "k-0123456789abcdef,k-fedcba9876543210" }, "guarded.sqlite");
    const payment = await sdkPayment();
    expect((await post(guarded.app, "/verify", payment).expect(401)).body.error).toBe("unauthorized");
    await request(guarded.app).post("/verify").set("authorization", "Bearer k-wrong-key-00000000").send({}).expect(401);
    const ok = await request(guarded.app)
      .post("/verify")
      .set("authorization", "Bearer k-fedcba9876543210")
      .send({ x402Version: 2, paymentPayload: payment, paymentRequirements: requirements })
      .expect(200);
    expect(ok.body.isValid).toBe(true);
    await request(guarded.app).get("/supported").expect(200);
  });

  it("only settles allowed assets and recipients", async () => {
    const strict = build(
      { FACILITATOR_ALLOWED_ASSETS: token(), FACILITATOR_ALLOWED_PAY_TO: facilitatorAddress() },
      "strict.sqlite",
    );
    const res = await post(strict.app, "/settle", await sdkPayment()).expect(200);
    expect(res.body).toMatchObject({ success: false, errorReason: "pay_to_not_allowed" });
  });

  it("reports liveness, readiness with the signer's gas, and Prometheus metrics", async () => {
    await request(facilitator.app).get("/healthz").expect(200, { status: "ok" });
    const ready = await request(facilitator.app).get("/readyz").expect(200);
    expect(ready.body.checks["eip155:31337"]).toMatchObject({ ok: true });
    const poor = build({ FACILITATOR_MIN_GAS_WEI: (10n ** 30n).toString() }, "poor.sqlite");
    const notReady = await request(poor.app).get("/readyz").expect(503);
    expect(notReady.body.checks["eip155:31337"].detail).toMatch(/below the floor/);

    const metrics = await request(facilitator.app).get("/metrics").expect(200);
    for (const line of [
      /facilitator_settle_total\{scheme="exact",operation="settle",outcome="success",reason=""\} [1-9]/,
      /facilitator_settle_total\{scheme="exact",operation="settle",outcome="replayed",reason=""\} [1-9]/,
      /facilitator_verify_total\{scheme="other",operation="verify",outcome="invalid",reason="unsupported_scheme"\} 1/,
      /facilitator_signer_gas_balance_wei\{network="eip155:31337",address="0x[0-9a-fA-F]{40}"\} [1-9]/,
      /facilitator_settle_duration_seconds_bucket\{le="[0-9.]+",scheme="exact",operation="settle"\}/,
    ]) {
      expect(metrics.text).toMatch(line);
    }
  });

  it("answers unknown routes and wrong methods with JSON errors", async () => {
    expect((await request(facilitator.app).get("/nope").expect(404)).body.error).toBe("not_found");
    expect((await request(facilitator.app).get("/settle").expect(405)).body.error).toBe("method_not_allowed");
  });
});

describe("stuck and dropped transactions", () => {
  it("reports an unconfirmed settlement, then a dropped one, and never re-sends it", async () => {
    const slow = build({ FACILITATOR_CONFIRMATION_TIMEOUT_MS: "400" }, "stuck.sqlite");
    const payment = await sdkPayment();
    const rpc = h.rpc;
    await rpc("evm_setAutomine", [false]);
    try {
      const res = await post(slow.app, "/settle", payment).expect(200);
      expect(res.body).toMatchObject({ success: false, errorReason: "settlement_pending" });
      expect(res.body.transaction).toMatch(/^0x[0-9a-f]{64}$/);
      expect((await rpc("hardhat_dropTransaction", [res.body.transaction])).result).toBe(true);

      await slow.service.reconcileUnfinished(0);
      const identity = paymentIdentityOf(payment);
      const record = identity.ok ? slow.ledger.get(identity.identity.key) : undefined;
      expect(record?.status).toBe("dropped");
      const metrics = await request(slow.app).get("/metrics").expect(200);
      expect(metrics.text).toMatch(/facilitator_settlements_dropped_total\{network="eip155:31337"\} 1/);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    // The payment itself is still good: settling it again goes through, once.
    const again = await post(slow.app, "/settle", payment).expect(200);
    expect(again.body.success).toBe(true);
  });
});
