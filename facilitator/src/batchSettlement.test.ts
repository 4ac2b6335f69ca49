// batch-settlement through wg402's facilitator against wg402's escrow on a real hardhat node: deposits and vouchers
// signed by the official SDK client, each operation settled once however it is asked for, balances read back.
import type { SettleResponse } from "@x402/core/types";
import request from "supertest";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { claimBatchDigest } from "./batchIdentity.ts";
import type { Facilitator } from "./buildFacilitator.ts";
import { startFacilitatorProcess } from "./startFacilitatorProcess.ts";
import { claimPayload, claimRow, refundPayload, signRefund } from "./testing/batchFixtures.ts";
import { type FacilitatorHarness, startFacilitatorHarness } from "./testing/facilitatorHarness.ts";

let h: FacilitatorHarness;
let f: Facilitator;

beforeAll(async () => {
  h = await startFacilitatorHarness();
  f = h.buildBatch();
});
afterAll(async () => {
  await h?.stop();
});

/** The same request twice at once, then once more: the three answers, and how many transactions they cost. */
async function thriceAsked(path: "/verify" | "/settle", payload: unknown, app = f.app, reqs = h.batchRequirements) {
  const before = await h.signerNonce();
  const [a, b] = await Promise.all([h.postBatch(app, path, payload, reqs), h.postBatch(app, path, payload, reqs)]);
  const c = await h.postBatch(app, path, payload, reqs);
  return { answers: [a.body, b.body, c.body] as SettleResponse[], txs: (await h.signerNonce()) - before };
}

/** A payer with a channel the facilitator opened: the SDK's deposit (100 × the price), settled. */
async function openChannel() {
  const payer = await h.fundedPayer();
  const deposit = await h.sdkDeposit(payer);
  const opened = await h.postBatch(f.app, "/settle", deposit).expect(200);
  expect(opened.body).toMatchObject({ success: true });
  return { payer, deposit: deposit.payload, channelId: deposit.payload.voucher.channelId as Hex };
}

describe("GET /supported", () => {
  it("offers batch-settlement beside exact on the local chain, with the facilitator's receiver authorizer", async () => {
    const res = await request(f.app).get("/supported").expect(200);
    expect(res.body.kinds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scheme: "exact", network: "eip155:31337" }),
        {
          x402Version: 2,
          scheme: "batch-settlement",
          network: "eip155:31337",
          extra: { receiverAuthorizer: h.authorizer.address },
        },
      ]),
    );
    // Without an authorizer key none is offered: servers then sign their own claims and refunds.
    const plain = await request(h.build({}, "plain.sqlite").app).get("/supported").expect(200);
    const kind = plain.body.kinds.find((k: { scheme: string }) => k.scheme === "batch-settlement");
    expect(kind).toBeDefined();
    expect(kind.extra).toBeUndefined();
  });
});

describe("each operation settles once, however it is asked for", () => {
  it("deposits gaslessly for the payer: one transaction for two concurrent requests and a retry", async () => {
    const payer = await h.fundedPayer();
    const deposit = await h.sdkDeposit(payer);
    const amount = BigInt(deposit.payload.deposit.amount);
    const verified = await h.postBatch(f.app, "/verify", deposit).expect(200);
    expect(verified.body).toMatchObject({ isValid: true, payer: payer.address });

    const { answers, txs } = await thriceAsked("/settle", deposit);
    expect(txs).toBe(1);
    expect(answers[0]).toMatchObject({ success: true, payer: payer.address, amount: amount.toString() });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await h.channel(deposit.payload.voucher.channelId as Hex)).toEqual([amount, 0n]);
    expect(await h.balanceOf(payer.address)).toBe(10_000_000n - amount);
    expect(await h.publicClient.getBalance({ address: payer.address })).toBe(0n);
  });

  it("verifies a voucher off the chain, and never settles one", async () => {
    const { payer, deposit } = await openChannel();
    const voucher = h.envelope(await h.sdkVoucher(payer, deposit, 2_000n));
    const block = await h.publicClient.getBlockNumber();
    const verified = await h.postBatch(f.app, "/verify", voucher).expect(200);
    expect(verified.body).toMatchObject({ isValid: true, payer: payer.address });
    const settled = await h.postBatch(f.app, "/settle", voucher).expect(200);
    expect(settled.body).toMatchObject({
      success: false,
      errorReason: "invalid_batch_settlement_evm_payload_type",
    });
    expect(await h.publicClient.getBlockNumber()).toBe(block);
  });

  it("claims several payers' channels in one transaction, signed by its authorizer, then settles them", async () => {
    const [one, two, three] = [await openChannel(), await openChannel(), await openChannel()];
    const rows = [
      claimRow(one.deposit, (await h.sdkVoucher(one.payer, one.deposit, 3_000n)).voucher, 2_500n),
      claimRow(two.deposit, (await h.sdkVoucher(two.payer, two.deposit, 5_000n)).voucher, 5_000n),
      claimRow(three.deposit, (await h.sdkVoucher(three.payer, three.deposit, 1_000n)).voucher, 1n),
    ];
    const claimed = await thriceAsked("/settle", h.envelope(claimPayload(rows)));
    expect(claimed.txs).toBe(1);
    expect(claimed.answers[0]).toMatchObject({ success: true, transaction: expect.stringMatching(/^0x/) });
    expect(new Set(claimed.answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await h.channel(one.channelId))[1]).toBe(2_500n);
    expect((await h.channel(two.channelId))[1]).toBe(5_000n);
    expect((await h.channel(three.channelId))[1]).toBe(1n);

    const receiverBefore = await h.balanceOf(h.payTo);
    const escrowBefore = await h.balanceOf(h.escrow);
    const swept = await thriceAsked("/settle", h.envelope({ type: "settle", receiver: h.payTo, token: h.token }));
    expect(swept.txs).toBe(1);
    expect(swept.answers[0]).toMatchObject({ success: true, amount: "7501" });
    expect(swept.answers[2]).toEqual(swept.answers[0]);
    expect(await h.balanceOf(h.payTo)).toBe(receiverBefore + 7_501n);
    expect(await h.balanceOf(h.escrow)).toBe(escrowBefore - 7_501n);
  });

  it("refunds the unclaimed rest with its own authorizer's signature, for a caller with an API key", async () => {
    const { payer, deposit, channelId } = await openChannel();
    const voucher = (await h.sdkVoucher(payer, deposit, 4_000n)).voucher;
    const balance = BigInt(deposit.deposit.amount);
    const payerBefore = await h.balanceOf(payer.address);
    // The server folds its last claim (3,000 served) into the refund: multicall(claim, refund) in one transaction.
    const refund = refundPayload(deposit, voucher, {
      amount: balance - 3_000n,
      claims: [claimRow(deposit, voucher, 3_000n)],
    });
    const { answers, txs } = await thriceAsked("/settle", h.envelope(refund));
    expect(txs).toBe(1);
    expect(answers[0]).toMatchObject({ success: true, payer: payer.address, amount: (balance - 3_000n).toString() });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await h.balanceOf(payer.address)).toBe(payerBefore + balance - 3_000n);
    expect(await h.channel(channelId)).toEqual([3_000n, 3_000n]);
    expect(await h.refundNonce(channelId)).toBe(1n);
  });

  it("relays claims and refunds a server signed itself, on an open facilitator with no authorizer", async () => {
    const open = h.build({}, "open.sqlite");
    const serverAuthorizer = privateKeyToAccount(generatePrivateKey());
    const reqs = {
      ...h.batchRequirements,
      extra: { ...h.batchRequirements.extra, receiverAuthorizer: serverAuthorizer.address },
    };
    const payer = await h.fundedPayer();
    const deposit = await h.sdkDeposit(payer, reqs);
    expect((await h.post(open.app, "/settle", deposit, reqs).expect(200)).body).toMatchObject({ success: true });
    const channelId = deposit.payload.voucher.channelId as Hex;
    const voucher = (await h.sdkVoucher(payer, deposit.payload, 1_500n)).voucher;
    const rows = [claimRow(deposit.payload, voucher, 1_500n)];
    const signature = await serverAuthorizer.sign({ hash: claimBatchDigest(rows, "eip155:31337") });
    const claim = h.envelope(claimPayload(rows, signature), reqs);
    expect((await h.post(open.app, "/settle", claim, reqs).expect(200)).body).toMatchObject({ success: true });

    const rest = BigInt(deposit.payload.deposit.amount) - 1_500n;
    const refundSignature = await signRefund(serverAuthorizer, channelId, rest, 0n);
    const refund = h.envelope(refundPayload(deposit.payload, voucher, { amount: rest }, refundSignature), reqs);
    const refunded = await h.post(open.app, "/settle", refund, reqs).expect(200);
    expect(refunded.body).toMatchObject({ success: true, amount: rest.toString() });
    expect(await h.channel(channelId)).toEqual([1_500n, 1_500n]);
  });

  it("counts verify and settle per scheme and operation", async () => {
    const metrics = (await request(f.app).get("/metrics").expect(200)).text;
    for (const line of [
      'facilitator_verify_total{scheme="batch-settlement",operation="deposit",outcome="valid",reason=""}',
      'facilitator_verify_total{scheme="batch-settlement",operation="voucher",outcome="valid",reason=""}',
      'facilitator_settle_total{scheme="batch-settlement",operation="deposit",outcome="replayed",reason=""}',
      'facilitator_settle_total{scheme="batch-settlement",operation="claim",outcome="success",reason=""}',
      'facilitator_settle_total{scheme="batch-settlement",operation="settle",outcome="success",reason=""}',
      'facilitator_settle_total{scheme="batch-settlement",operation="refund",outcome="replayed",reason=""}',
    ]) {
      expect(metrics).toContain(line);
    }
    expect(metrics).toMatch(
      /facilitator_settle_duration_seconds_count\{scheme="batch-settlement",operation="claim"\} [1-9]/,
    );
  });
});

describe("stuck and dropped transactions", () => {
  it("answers a claim it cannot confirm as pending, reports it dropped, and sends it again only when asked", async () => {
    const slow = h.buildBatch({ FACILITATOR_CONFIRMATION_TIMEOUT_MS: "400" }, "stuck.sqlite");
    const { payer, deposit, channelId } = await openChannel();
    const voucher = (await h.sdkVoucher(payer, deposit, 1_000n)).voucher;
    const claim = h.envelope(claimPayload([claimRow(deposit, voucher, 1_000n)]));
    const nonceBefore = await h.signerNonce();
    await h.rpc("evm_setAutomine", [false]);
    try {
      const stuck = await h.postBatch(slow.app, "/settle", claim).expect(200);
      expect(stuck.body).toMatchObject({ success: false, errorReason: "settlement_pending" });
      expect(stuck.body.transaction).toMatch(/^0x[0-9a-f]{64}$/);
      expect((await h.rpc("hardhat_dropTransaction", [stuck.body.transaction])).result).toBe(true);

      await slow.service.reconcileUnfinished(0);
      expect(slow.ledger.countByStatus()).toMatchObject({ dropped: 1, submitted: 0, pending: 0 });
      const metrics = (await request(slow.app).get("/metrics").expect(200)).text;
      expect(metrics).toMatch(/facilitator_settlements_dropped_total\{network="eip155:31337"\} 1/);
      // The reconciler never sent it again.
      expect(await h.signerNonce("pending")).toBe(nonceBefore);
    } finally {
      await h.rpc("evm_setAutomine", [true]);
    }
    const again = await h.postBatch(slow.app, "/settle", claim).expect(200);
    expect(again.body).toMatchObject({ success: true });
    expect(await h.signerNonce()).toBe(nonceBefore + 1);
    expect((await h.channel(channelId))[1]).toBe(1_000n);
  });
});

describe("a restart in the middle of a claim", () => {
  it("recovers the claim from the ledger after kill -9 and never submits it twice", async () => {
    const { payer, deposit, channelId } = await openChannel();
    const voucher = (await h.sdkVoucher(payer, deposit, 2_000n)).voucher;
    const claim = h.envelope(claimPayload([claimRow(deposit, voucher, 2_000n)]));
    const env = {
      FACILITATOR_PRIVATE_KEY: h.chain.stack.accounts.facilitator.privateKey,
      FACILITATOR_AUTHORIZER_PRIVATE_KEY: h.authorizerKey,
      FACILITATOR_API_KEYS: h.apiKey,
      FACILITATOR_DB_PATH: `${h.dir}/crash.sqlite`,
      FACILITATOR_PORT: "0",
      WG402_RPC_URL_LOCAL: h.chain.rpcUrl,
      LOG_LEVEL: "silent",
    };
    const first = await startFacilitatorProcess(env);
    const nonceBefore = await h.signerNonce();
    await h.rpc("evm_setAutomine", [false]);
    try {
      // The claim is broadcast and waits for its receipt, which cannot come: the process dies there.
      const inFlight = fetch(`${first.url}/settle`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${h.apiKey}` },
        body: JSON.stringify({ x402Version: 2, paymentPayload: claim, paymentRequirements: h.batchRequirements }),
      }).catch(() => undefined);
      const deadline = Date.now() + 20_000;
      while ((await h.signerNonce("pending")) === nonceBefore && Date.now() < deadline) await sleep(50);
      expect(await h.signerNonce("pending")).toBe(nonceBefore + 1);
      first.child.kill("SIGKILL");
      await inFlight;

      const second = h.buildBatch({}, "crash.sqlite");
      await second.service.reconcileUnfinished(0);
      const retried = await h.postBatch(second.app, "/settle", claim).expect(200);
      expect(retried.body).toMatchObject({ success: false, errorReason: "settlement_pending" });
      expect(await h.signerNonce("pending")).toBe(nonceBefore + 1);

      await h.rpc("evm_mine");
      const landed = await h.postBatch(second.app, "/settle", claim).expect(200);
      expect(landed.body).toMatchObject({ success: true, transaction: retried.body.transaction });
      expect((await h.postBatch(second.app, "/settle", claim).expect(200)).body).toEqual(landed.body);
    } finally {
      await h.rpc("evm_setAutomine", [true]);
      await first.stop();
    }
    expect(await h.signerNonce()).toBe(nonceBefore + 1);
    expect((await h.channel(channelId))[1]).toBe(2_000n);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
