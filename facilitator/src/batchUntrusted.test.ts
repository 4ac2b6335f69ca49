// batch-settlement requests the facilitator must refuse without a transaction: junk fields, payments outside the
// operator's policy, refunds nobody vouched for, claims that change nothing; and a chain without the escrow.
import { canonicalEscrowAddresses } from "@wg402/shared";
import type { PaymentPayload } from "@x402/core/types";
import type { Hex } from "viem";
import type { DepositPayload } from "./batchPayload.ts";
import type { Facilitator } from "./buildFacilitator.ts";
import { startFacilitatorProcess } from "./startFacilitatorProcess.ts";
import { claimPayload, claimRow, refundPayload } from "./testing/batchFixtures.ts";
import { type FacilitatorHarness, startFacilitatorHarness } from "./testing/facilitatorHarness.ts";

let h: FacilitatorHarness;
let f: Facilitator;
let deposit: PaymentPayload & { payload: DepositPayload };

beforeAll(async () => {
  h = await startFacilitatorHarness();
  f = h.buildBatch();
  deposit = await h.sdkDeposit(await h.fundedPayer());
});
afterAll(async () => {
  await h?.stop();
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const stranger = () => h.stranger();

/** Runs `act` and checks that it sent no transaction and wrote no ledger row. */
async function touchesNothing<T>(facilitator: Facilitator, act: () => Promise<T>): Promise<T> {
  const nonce = await h.signerNonce("pending");
  const rows = h.ledgerRows(facilitator);
  const result = await act();
  expect(await h.signerNonce("pending")).toBe(nonce);
  expect(h.ledgerRows(facilitator)).toBe(rows);
  return result;
}

describe("junk answers 400 with a machine-readable code, before anything else", () => {
  type Body = { paymentPayload: Record<string, unknown>; paymentRequirements: Record<string, unknown> };
  /** Sets the field at `path` (from the body: paymentPayload.payload.deposit.amount, ...) to `value`. */
  const at =
    (path: string, value: unknown) =>
    (body: Body): void => {
      const keys = path.split(".");
      const last = keys.pop() as string;
      let node = body as unknown as Record<string, unknown>;
      for (const key of keys) node = node[key] as Record<string, unknown>;
      node[last] = value;
    };
  const row = () => claimRow(deposit.payload, deposit.payload.voucher, 1n);
  const tooBig = (2n ** 128n).toString();

  it.each<[string, (body: Body) => void, RegExp]>([
    ["an unknown payload type", at("paymentPayload.payload.type", "withdraw"), /payload\.type/],
    ["a negative deposit", at("paymentPayload.payload.deposit.amount", "-1"), /deposit\.amount/],
    ["an amount in exponent form", at("paymentPayload.payload.deposit.amount", "1e6"), /deposit\.amount/],
    ["an amount over uint128", at("paymentPayload.payload.deposit.amount", tooBig), /uint128/],
    ["a short payer address", at("paymentPayload.payload.channelConfig.payer", "0x1234"), /channelConfig\.payer/],
    ["a fractional withdraw delay", at("paymentPayload.payload.channelConfig.withdrawDelay", 900.5), /withdrawDelay/],
    ["a salt that is not 32 bytes", at("paymentPayload.payload.channelConfig.salt", "0x00"), /channelConfig\.salt/],
    ["a signature that is not hex", at("paymentPayload.payload.voucher.signature", "0xzz"), /voucher\.signature/],
    ["a deposit with no authorization", at("paymentPayload.payload.deposit.authorization", {}), /exactly one of/],
    ["an empty claim batch", at("paymentPayload.payload", { type: "claim", claims: [] }), /payload\.claims/],
    [
      "a claimed total over uint128",
      (b) => at("paymentPayload.payload", { type: "claim", claims: [{ ...row(), totalClaimed: tooBig }] })(b),
      /totalClaimed/,
    ],
    [
      "a settle without a receiver",
      (b) => at("paymentPayload.payload", { type: "settle", token: h.token })(b),
      /receiver/,
    ],
    ["a payload that is a string", at("paymentPayload.payload", "deposit"), /paymentPayload\.payload/],
    ["a negative timeout", at("paymentRequirements.maxTimeoutSeconds", -1), /maxTimeoutSeconds/],
    ["a junk receiver authorizer", at("paymentRequirements.extra.receiverAuthorizer", "nope"), /receiverAuthorizer/],
  ])("refuses %s", async (_name, mutate, where) => {
    for (const path of ["/verify", "/settle"] as const) {
      const body = clone({ paymentPayload: deposit, paymentRequirements: h.batchRequirements }) as unknown as Body;
      mutate(body);
      const res = await touchesNothing(f, () =>
        h.postBatch(f.app, path, body.paymentPayload, body.paymentRequirements),
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_request", message: expect.stringMatching(where) });
    }
  });
});

describe("the operator's policy and wg402's own guards refuse without a transaction", () => {
  it("refuses a token, a receiver or a network it does not serve, and a scheme it was told not to offer", async () => {
    const assets = h.buildBatch({ FACILITATOR_ALLOWED_ASSETS: stranger() }, "assets.sqlite");
    const res = await touchesNothing(assets, () => h.postBatch(assets.app, "/settle", deposit).expect(200));
    expect(res.body).toMatchObject({ success: false, errorReason: "asset_not_allowed" });

    // The allowlist covers every claim row's channel, not only the requirements' payTo.
    const payTos = h.buildBatch({ FACILITATOR_ALLOWED_PAY_TO: h.payTo }, "payto.sqlite");
    const elsewhere = { ...deposit.payload.channelConfig, receiver: stranger() };
    const claim = claimPayload([
      {
        ...claimRow(deposit.payload, deposit.payload.voucher, 1n),
        voucher: { channel: elsewhere, maxClaimableAmount: "1" },
      },
    ]);
    const refused = await touchesNothing(payTos, () =>
      h.postBatch(payTos.app, "/settle", h.envelope(claim)).expect(200),
    );
    expect(refused.body).toMatchObject({ success: false, errorReason: "pay_to_not_allowed" });
    // Without an allowlist the row is still bound to the requirements it came with.
    const unbound = await touchesNothing(f, () => h.postBatch(f.app, "/settle", h.envelope(claim)).expect(200));
    expect(unbound.body).toMatchObject({
      success: false,
      errorReason: "invalid_batch_settlement_evm_receiver_mismatch",
    });

    const mainnet = { ...h.batchRequirements, network: "eip155:1" as const };
    const offChain = await h.postBatch(f.app, "/verify", h.envelope(deposit.payload, mainnet), mainnet).expect(200);
    expect(offChain.body).toMatchObject({ isValid: false, invalidReason: "unsupported_network" });

    const exactOnly = h.buildBatch({ FACILITATOR_SCHEMES: "exact" }, "exact-only.sqlite");
    const notOffered = await h.postBatch(exactOnly.app, "/settle", deposit).expect(200);
    expect(notOffered.body).toMatchObject({ success: false, errorReason: "unsupported_scheme" });
  });

  it("signs no refund for a caller without an API key, and none for a zero amount or a Permit2 deposit", async () => {
    // An open facilitator may still hold an authorizer (the local default): it then signs claims, never refunds.
    const open = h.build({ FACILITATOR_AUTHORIZER_PRIVATE_KEY: h.authorizerKey }, "open-authorizer.sqlite");
    const refund = h.envelope(refundPayload(deposit.payload, deposit.payload.voucher, { amount: 1_000n }));
    const anonymous = await touchesNothing(open, () =>
      h.post(open.app, "/settle", refund, h.batchRequirements).expect(200),
    );
    expect(anonymous.body).toMatchObject({ success: false, errorReason: "refund_not_authenticated" });

    const zero = h.envelope(refundPayload(deposit.payload, deposit.payload.voucher, { amount: 0n }));
    const none = await touchesNothing(f, () => h.postBatch(f.app, "/settle", zero).expect(200));
    expect(none.body).toMatchObject({
      success: false,
      errorReason: "invalid_batch_settlement_evm_refund_amount_invalid",
    });

    const permit2 = clone(deposit);
    permit2.payload.deposit.authorization = {
      permit2Authorization: { from: deposit.payload.channelConfig.payer },
    } as never;
    const viaPermit2 = await touchesNothing(f, () => h.postBatch(f.app, "/settle", permit2).expect(200));
    expect(viaPermit2.body).toMatchObject({ success: false, errorReason: "unsupported_payload_type" });
  });

  it("refuses a claim that raises nothing, a forged voucher, and a refund nonce reused for other terms", async () => {
    const payer = await h.fundedPayer();
    const opened = await h.sdkDeposit(payer);
    expect((await h.postBatch(f.app, "/settle", opened).expect(200)).body).toMatchObject({ success: true });
    const voucher = (await h.sdkVoucher(payer, opened.payload, 5_000n)).voucher;
    const claimed = await h.postBatch(
      f.app,
      "/settle",
      h.envelope(claimPayload([claimRow(opened.payload, voucher, 4_000n)])),
    );
    expect(claimed.body).toMatchObject({ success: true });

    // Rows at or below the channel's claimed total: the escrow would skip them and the facilitator pay for nothing.
    const stale = h.envelope(claimPayload([claimRow(opened.payload, voucher, 3_000n)]));
    const nothing = await touchesNothing(f, () => h.postBatch(f.app, "/settle", stale).expect(200));
    expect(nothing.body).toMatchObject({ success: false, errorReason: "nothing_to_claim" });

    const forged = {
      ...voucher,
      signature: (await h.sdkVoucher(await h.fundedPayer(), opened.payload, 5_000n)).voucher.signature,
    };
    const badRow = h.envelope(claimPayload([claimRow(opened.payload, forged, 5_000n)]));
    const simulated = await touchesNothing(f, () => h.postBatch(f.app, "/settle", badRow).expect(200));
    expect(simulated.body).toMatchObject({
      success: false,
      errorReason: "invalid_batch_settlement_evm_claim_simulation_failed",
    });

    const refunded = await h.postBatch(
      f.app,
      "/settle",
      h.envelope(refundPayload(opened.payload, voucher, { amount: 10_000n })),
    );
    expect(refunded.body).toMatchObject({ success: true, amount: "10000" });
    const other = h.envelope(refundPayload(opened.payload, voucher, { amount: 20_000n }));
    const reused = await touchesNothing(f, () => h.postBatch(f.app, "/settle", other).expect(200));
    expect(reused.body).toMatchObject({ success: false, errorReason: "refund_nonce_used" });
  });
});

describe("start-up on a chain without the escrow", () => {
  it("refuses to start, naming the chain and the missing contract's address", async () => {
    const collector = canonicalEscrowAddresses.depositCollector as Hex;
    const code = await h.publicClient.getCode({ address: collector });
    await h.rpc("hardhat_setCode", [collector, "0x"]);
    try {
      await expect(h.buildBatch({}, "startup.sqlite").checkChains()).rejects.toMatchObject({
        code: "invalid_config",
        message: expect.stringContaining(`no code at ${collector} (ERC3009DepositCollector) on eip155:31337`),
      });
      // The process says so and exits 2; offered `exact` alone, it has no escrow to check and starts.
      const env = {
        FACILITATOR_PRIVATE_KEY: h.chain.stack.accounts.facilitator.privateKey,
        FACILITATOR_DB_PATH: `${h.dir}/startup-process.sqlite`,
        FACILITATOR_PORT: "0",
        WG402_RPC_URL_LOCAL: h.chain.rpcUrl,
      };
      await expect(startFacilitatorProcess(env)).rejects.toThrow(
        new RegExp(`exited with code 2[\\s\\S]*eip155:31337[\\s\\S]*no code at ${collector}`),
      );
      const exactOnly = await startFacilitatorProcess({ ...env, FACILITATOR_SCHEMES: "exact" });
      await exactOnly.stop();
    } finally {
      await h.rpc("hardhat_setCode", [collector, code]);
    }
    await expect(h.buildBatch({}, "startup-ok.sqlite").checkChains()).resolves.toBeUndefined();
  });
});
