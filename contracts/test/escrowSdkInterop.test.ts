// The official SDK, unmodified, against wg402's escrow at the canonical addresses: @x402/evm's batch-settlement
// client builds the deposit and the vouchers, and its facilitator scheme verifies and settles them on-chain
// (deposit through the collector, claimWithSignature, settle, and a refund run as multicall(claim, refund)).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner, toFacilitatorEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClient, signVoucher } from "@x402/evm/batch-settlement/client";
import { BatchSettlementEvmScheme as BatchFacilitator } from "@x402/evm/batch-settlement/facilitator";
import { getAddress, publicActions } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { escrowFixture, MIN_DELAY, NETWORK } from "../testing/escrowFixture.ts";

const PRICE = 1_000n; // per request, 0.001 tUSD

async function sdkStack() {
  const f = await escrowFixture();
  const payer = privateKeyToAccount(generatePrivateKey());
  const authorizer = privateKeyToAccount(generatePrivateKey());
  await f.token.write.mint([payer.address, 1_000_000_000n]);

  const relayer = f.relayer.extend(publicActions);
  const facilitatorSigner = toFacilitatorEvmSigner({
    ...relayer,
    address: getAddress(f.relayer.account.address),
  } as unknown as Parameters<typeof toFacilitatorEvmSigner>[0]);
  const facilitator = new BatchFacilitator(facilitatorSigner, authorizer);
  const client = new BatchClient(toClientEvmSigner(payer, f.publicClient));

  const requirements: PaymentRequirements = {
    scheme: "batch-settlement",
    network: NETWORK,
    amount: PRICE.toString(),
    asset: getAddress(f.token.address),
    payTo: getAddress(f.receiver.account.address),
    maxTimeoutSeconds: 300,
    extra: {
      receiverAuthorizer: authorizer.address,
      withdrawDelay: MIN_DELAY,
      name: f.tokenDomain.name,
      version: f.tokenDomain.version,
    },
  };
  const envelope = (payload: unknown): PaymentPayload =>
    ({ x402Version: 2, accepted: requirements, payload }) as unknown as PaymentPayload;
  return { f, payer, authorizer, facilitator, client, requirements, envelope };
}

describe("@x402/evm batch-settlement against wg402's escrow", () => {
  it("deposits through the SDK client and facilitator, then verifies a voucher", async () => {
    const { f, payer, facilitator, client, requirements, envelope } = await sdkStack();
    const created = await client.createPaymentPayload(2, requirements);
    const deposit = created.payload as {
      type: string;
      channelConfig: Parameters<typeof f.channelId>[0];
      voucher: { channelId: `0x${string}` };
      deposit: { amount: string };
    };
    assert.equal(deposit.type, "deposit");
    const channelId = deposit.voucher.channelId;
    assert.equal(channelId, await f.escrow.read.getChannelId([deposit.channelConfig]));

    const verified = await facilitator.verify(envelope(deposit), requirements);
    assert.equal(verified.isValid, true, JSON.stringify(verified));
    const settled = await facilitator.settle(envelope(deposit), requirements);
    assert.equal(settled.success, true, JSON.stringify(settled));
    const depositAmount = BigInt(deposit.deposit.amount);
    assert.deepEqual(await f.escrow.read.channels([channelId]), [depositAmount, 0n]);
    assert.equal(
      (settled.extra as { channelState: { balance: string } }).channelState.balance,
      depositAmount.toString(),
    );
    // The payer paid no gas.
    assert.equal(await f.publicClient.getBalance({ address: payer.address }), 0n);

    // A next request: a voucher for the cumulative total, verified against the chain through Multicall3.
    const voucher = await signVoucher(toClientEvmSigner(payer), channelId, (2n * PRICE).toString(), NETWORK);
    const voucherVerified = await facilitator.verify(
      envelope({ type: "voucher", channelConfig: deposit.channelConfig, voucher }),
      requirements,
    );
    assert.equal(voucherVerified.isValid, true, JSON.stringify(voucherVerified));
    assert.equal((voucherVerified.extra as { balance: string }).balance, depositAmount.toString());
  });

  it("claims with the facilitator's authorizer signature, settles to the receiver, refunds the rest", async () => {
    const { f, payer, facilitator, client, requirements, envelope } = await sdkStack();
    const created = await client.createPaymentPayload(2, requirements);
    const deposit = created.payload as {
      channelConfig: Parameters<typeof f.channelId>[0];
      voucher: { channelId: `0x${string}`; maxClaimableAmount: string; signature: `0x${string}` };
      deposit: { amount: string };
    };
    assert.equal((await facilitator.settle(envelope(deposit), requirements)).success, true);
    const channelId = deposit.voucher.channelId;
    const depositAmount = BigInt(deposit.deposit.amount);
    const payerSigner = toClientEvmSigner(payer);

    // Three requests served; the node charged 2,500 of the 3,000 the vouchers allow.
    const latest = await signVoucher(payerSigner, channelId, (3n * PRICE).toString(), NETWORK);
    const claimRow = {
      voucher: { channel: deposit.channelConfig, maxClaimableAmount: latest.maxClaimableAmount },
      signature: latest.signature,
      totalClaimed: "2500",
    };
    const claimed = await facilitator.settle(envelope({ type: "claim", claims: [claimRow] }), requirements);
    assert.equal(claimed.success, true, JSON.stringify(claimed));
    assert.deepEqual(await f.escrow.read.channels([channelId]), [depositAmount, 2_500n]);

    const swept = await facilitator.settle(
      envelope({ type: "settle", receiver: requirements.payTo, token: requirements.asset }),
      requirements,
    );
    assert.equal(swept.success, true, JSON.stringify(swept));
    assert.equal(swept.amount, "2500");
    assert.equal(await f.balanceOf(requirements.payTo as `0x${string}`), 2_500n);

    // A cooperative refund of everything left, with a zero-charge voucher and the last claim folded in.
    const zeroCharge = await signVoucher(payerSigner, channelId, "2600", NETWORK);
    const refundRow = {
      ...claimRow,
      voucher: { ...claimRow.voucher, maxClaimableAmount: "2600" },
      signature: zeroCharge.signature,
      totalClaimed: "2600",
    };
    const refund = {
      type: "refund",
      channelConfig: deposit.channelConfig,
      voucher: zeroCharge,
      amount: depositAmount.toString(),
      refundNonce: "0",
      claims: [refundRow],
    };
    const refundVerified = await facilitator.verify(envelope(refund), requirements);
    assert.equal(refundVerified.isValid, true, JSON.stringify(refundVerified));
    const payerBefore = await f.balanceOf(payer.address);
    const refunded = await facilitator.settle(envelope(refund), requirements);
    assert.equal(refunded.success, true, JSON.stringify(refunded));
    assert.equal(refunded.amount, (depositAmount - 2_600n).toString());
    assert.equal(await f.balanceOf(payer.address), payerBefore + depositAmount - 2_600n);
    assert.deepEqual(await f.escrow.read.channels([channelId]), [2_600n, 2_600n]);
    assert.equal(await f.escrow.read.refundNonce([channelId]), 1n);
  });

  it("rejects what the contract would reject: a voucher above the balance, a claim above its voucher", async () => {
    const { f, payer, facilitator, client, requirements, envelope } = await sdkStack();
    const created = await client.createPaymentPayload(2, requirements);
    const deposit = created.payload as {
      channelConfig: Parameters<typeof f.channelId>[0];
      voucher: { channelId: `0x${string}` };
      deposit: { amount: string };
    };
    await facilitator.settle(envelope(deposit), requirements);
    const channelId = deposit.voucher.channelId;
    const tooMuch = await signVoucher(
      toClientEvmSigner(payer),
      channelId,
      (BigInt(deposit.deposit.amount) + 1n).toString(),
      NETWORK,
    );
    const verdict = await facilitator.verify(
      envelope({ type: "voucher", channelConfig: deposit.channelConfig, voucher: tooMuch }),
      requirements,
    );
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, "invalid_batch_settlement_evm_cumulative_exceeds_balance");

    // A claim above its voucher's ceiling fails the SDK's simulation against the contract.
    const voucher = await signVoucher(toClientEvmSigner(payer), channelId, "1000", NETWORK);
    const overClaim = await facilitator.settle(
      envelope({
        type: "claim",
        claims: [
          {
            voucher: { channel: deposit.channelConfig, maxClaimableAmount: "1000" },
            signature: voucher.signature,
            totalClaimed: "1001",
          },
        ],
      }),
      requirements,
    );
    assert.equal(overClaim.success, false);
    assert.equal(overClaim.errorReason, "invalid_batch_settlement_evm_claim_simulation_failed");
    assert.deepEqual(await f.escrow.read.channels([channelId]), [BigInt(deposit.deposit.amount), 0n]);
  });
});
