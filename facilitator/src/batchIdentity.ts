import { BATCH_SETTLEMENT_ADDRESS, BATCH_SETTLEMENT_DOMAIN, claimBatchTypes } from "@x402/evm";
import { computeChannelId } from "@x402/evm/batch-settlement/client";
import { encodeAbiParameters, getAddress, type Hex, hashTypedData, keccak256, sha256, stringToHex } from "viem";
import type {
  ChannelConfig,
  ClaimPayload,
  DepositPayload,
  EnrichedRefundPayload,
  SettlePayload,
  VoucherClaim,
} from "./batchPayload.ts";

// What makes one batch-settlement settlement one settlement, so that the same request twice (in a row, at once,
// after a restart) is one transaction and one answer. Each operation has its own single-use key:
// - deposit: its ERC-3009 authorization (token, payer, nonce), as `exact`; the nonce is keccak256(channelId, salt);
// - claim: the EIP-712 digest of its claim rows (the contract's `getClaimBatchDigest`);
// - refund: the channel and its refund nonce, which the contract uses once; a second refund with that nonce but
//   other terms is refused;
// - settle: receiver, token and the receiver's claimed total at the time, the sweep it moves.

export type BatchOperation = "deposit" | "claim" | "settle" | "refund";

export type BatchSettlementIdentity = {
  scheme: "batch-settlement";
  operation: BatchOperation;
  key: string;
  network: string;
  asset: string;
  /** The deposit's or refund's payer; empty for a claim batch (many payers) or a settle. */
  payer: string;
  /** The receiver. */
  payTo: string;
  /** Deposit or refund amount; a claim's sum of claimed totals; a settle's expected sweep. */
  amount: string;
  /** The single-use part: ERC-3009 nonce, claim batch digest, refund nonce, or the receiver's claimed total. */
  nonce: string;
  /** The payer's ERC-3009 signature, or the receiver authorizer's when the request carried one; else empty. */
  signature: string;
  channelId: string | null;
  /** A digest of the terms: two requests with one key and different digests are two different settlements. */
  contentDigest: string;
};

const chainIdOf = (network: string) => Number(network.split(":")[1]);
const lower = (value: string) => value.toLowerCase();
const digestOf = (value: unknown) => sha256(stringToHex(JSON.stringify(value)));

export const escrowDomain = (network: string) => ({
  ...BATCH_SETTLEMENT_DOMAIN,
  chainId: chainIdOf(network),
  verifyingContract: getAddress(BATCH_SETTLEMENT_ADDRESS),
});

export const channelIdOf = (config: ChannelConfig, network: string): Hex =>
  lower(computeChannelId(config as Parameters<typeof computeChannelId>[0], network)) as Hex;

/** The ERC-3009 nonce of a deposit authorization, as the deposit collector derives it. */
export const depositNonceOf = (channelId: string, salt: string): Hex =>
  keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [channelId as Hex, BigInt(salt)]));

/** The EIP-712 `ClaimBatch` digest of `claims`: what the receiver authorizer signs and the contract checks. */
export function claimBatchDigest(claims: VoucherClaim[], network: string): Hex {
  return hashTypedData({
    domain: escrowDomain(network),
    types: claimBatchTypes,
    primaryType: "ClaimBatch",
    message: {
      claims: claims.map((claim) => ({
        channelId: channelIdOf(claim.voucher.channel, network),
        maxClaimableAmount: BigInt(claim.voucher.maxClaimableAmount),
        totalClaimed: BigInt(claim.totalClaimed),
      })),
    },
  });
}

export function depositIdentity(payload: DepositPayload, network: string): BatchSettlementIdentity {
  const authorization = payload.deposit.authorization.erc3009Authorization;
  if (!authorization) throw new Error("not an ERC-3009 deposit");
  const config = payload.channelConfig;
  const channelId = lower(payload.voucher.channelId);
  const nonce = lower(depositNonceOf(channelId, authorization.salt));
  return {
    scheme: "batch-settlement",
    operation: "deposit",
    key: `batch-settlement:deposit:${network}:${lower(config.token)}:${lower(config.payer)}:${nonce}`,
    network,
    asset: getAddress(config.token),
    payer: getAddress(config.payer),
    payTo: getAddress(config.receiver),
    amount: payload.deposit.amount,
    nonce,
    signature: authorization.signature,
    channelId,
    contentDigest: digestOf([
      network,
      lower(config.token),
      lower(config.payer),
      payload.deposit.amount,
      authorization.validAfter,
      authorization.validBefore,
      lower(authorization.salt),
      lower(authorization.signature),
    ]),
  };
}

export function claimIdentity(payload: ClaimPayload, network: string): BatchSettlementIdentity {
  const digest = lower(claimBatchDigest(payload.claims, network));
  const first = (payload.claims[0] as VoucherClaim).voucher.channel;
  return {
    scheme: "batch-settlement",
    operation: "claim",
    key: `batch-settlement:claim:${network}:${digest}`,
    network,
    asset: getAddress(first.token),
    payer: "",
    payTo: getAddress(first.receiver),
    amount: payload.claims.reduce((sum, claim) => sum + BigInt(claim.totalClaimed), 0n).toString(),
    nonce: digest,
    signature: payload.claimAuthorizerSignature ?? "",
    channelId: payload.claims.length === 1 ? channelIdOf(first, network) : null,
    contentDigest: digest,
  };
}

export function refundIdentity(payload: EnrichedRefundPayload, network: string): BatchSettlementIdentity {
  const config = payload.channelConfig;
  const channelId = channelIdOf(config, network);
  const claims = payload.claims.length > 0 ? lower(claimBatchDigest(payload.claims, network)) : "";
  return {
    scheme: "batch-settlement",
    operation: "refund",
    key: `batch-settlement:refund:${network}:${channelId}:${payload.refundNonce}`,
    network,
    asset: getAddress(config.token),
    payer: getAddress(config.payer),
    payTo: getAddress(config.receiver),
    amount: payload.amount,
    nonce: payload.refundNonce,
    signature: payload.refundAuthorizerSignature ?? "",
    channelId,
    contentDigest: digestOf([network, channelId, payload.refundNonce, payload.amount, claims]),
  };
}

/** `claimed` and `settled` are the receiver's totals for the token on-chain (`receivers(receiver, token)`). */
export function settleIdentity(
  payload: SettlePayload,
  network: string,
  { claimed, settled }: { claimed: bigint; settled: bigint },
): BatchSettlementIdentity {
  const key = `batch-settlement:settle:${network}:${lower(payload.receiver)}:${lower(payload.token)}:${claimed}`;
  return {
    scheme: "batch-settlement",
    operation: "settle",
    key,
    network,
    asset: getAddress(payload.token),
    payer: "",
    payTo: getAddress(payload.receiver),
    amount: (claimed > settled ? claimed - settled : 0n).toString(),
    nonce: claimed.toString(),
    signature: "",
    channelId: null,
    contentDigest: digestOf(key),
  };
}
