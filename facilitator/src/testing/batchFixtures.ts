// Payloads of the batch-settlement operations a server sends to /settle, built the way the SDK's server scheme and
// channel manager build them, from deposits and vouchers the SDK's client signed.
import { refundTypes } from "@x402/evm";
import type { Hex, LocalAccount } from "viem";
import { escrowDomain } from "../batchIdentity.ts";
import type { DepositPayload, VoucherClaim, VoucherFields } from "../batchPayload.ts";

const NETWORK = "eip155:31337";

/** One claim row: the channel's latest voucher and the total the server charged under it. */
export const claimRow = (deposit: DepositPayload, voucher: VoucherFields, totalClaimed: bigint): VoucherClaim => ({
  voucher: { channel: deposit.channelConfig, maxClaimableAmount: voucher.maxClaimableAmount },
  signature: voucher.signature,
  totalClaimed: totalClaimed.toString(),
});

export const claimPayload = (claims: VoucherClaim[], claimAuthorizerSignature?: Hex) => ({
  type: "claim" as const,
  claims,
  ...(claimAuthorizerSignature ? { claimAuthorizerSignature } : {}),
});

/** A refund completed by the server: the amount to return, the channel's refund nonce, claims to fold in first. */
export const refundPayload = (
  deposit: DepositPayload,
  voucher: VoucherFields,
  { amount, refundNonce = 0n, claims = [] }: { amount: bigint; refundNonce?: bigint; claims?: VoucherClaim[] },
  refundAuthorizerSignature?: Hex,
) => ({
  type: "refund" as const,
  channelConfig: deposit.channelConfig,
  voucher,
  amount: amount.toString(),
  refundNonce: refundNonce.toString(),
  claims,
  ...(refundAuthorizerSignature ? { refundAuthorizerSignature } : {}),
});

/** The receiver authorizer's EIP-712 `Refund` signature, as the server signs it when it holds that key itself. */
export const signRefund = (authorizer: LocalAccount, channelId: Hex, amount: bigint, nonce: bigint) =>
  authorizer.signTypedData({
    domain: escrowDomain(NETWORK),
    types: refundTypes,
    primaryType: "Refund",
    message: { channelId, nonce, amount },
  });
