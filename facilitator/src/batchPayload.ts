import { Bytes32Hex, Caip2Network, HexSignature, PayloadAddress, Uint256String } from "@wg402/shared";
import { z } from "zod";

// The `batch-settlement` request shapes, written from @x402/evm 2.27's types (src/batch-settlement/types.ts; the
// package exports no schemas) and the scheme's EVM spec. Every field the SDK hands to BigInt(), getAddress() or
// viem's ABI encoder is checked here first, so junk is a 400 and never an exception, a ledger row or a transaction.

const MAX_UINT128 = 2n ** 128n - 1n;

/** The escrow keeps amounts as uint128: a decimal string, no sign, no exponent, at most 2^128 - 1. */
export const Uint128String = z
  .string()
  .refine(
    (value) => /^[0-9]{1,39}$/.test(value) && BigInt(value) <= MAX_UINT128,
    "must be a uint128 as a decimal string (0 to 2^128 - 1)",
  );

/** `withdrawDelay` is a uint40 of seconds; its 15 min – 30 days range is the SDK's to refuse, with its reason. */
const Uint40 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40 - 1);

/** More rows than this in one claim would not fit a block's gas anyway. */
export const MAX_CLAIMS_PER_BATCH = 500;

export const ChannelConfig = z.object({
  payer: PayloadAddress,
  payerAuthorizer: PayloadAddress,
  receiver: PayloadAddress,
  receiverAuthorizer: PayloadAddress,
  token: PayloadAddress,
  withdrawDelay: Uint40,
  salt: Bytes32Hex,
});
export type ChannelConfig = z.infer<typeof ChannelConfig>;

export const VoucherFields = z.object({
  channelId: Bytes32Hex,
  maxClaimableAmount: Uint128String,
  signature: HexSignature,
});
export type VoucherFields = z.infer<typeof VoucherFields>;

export const Erc3009DepositAuthorization = z.object({
  validAfter: Uint256String,
  validBefore: Uint256String,
  /** The ERC-3009 nonce is keccak256(abi.encode(channelId, salt)): only this channel can be funded with it. */
  salt: Bytes32Hex,
  signature: HexSignature,
});
export type Erc3009DepositAuthorization = z.infer<typeof Erc3009DepositAuthorization>;

/**
 * A deposit's token authorization. Permit2 deposits are a well-formed x402 payload that this facilitator does not
 * take (no Permit2 collector is offered); they parse, and are refused with `unsupported_payload_type`.
 */
const DepositAuthorization = z
  .object({
    erc3009Authorization: Erc3009DepositAuthorization.optional(),
    permit2Authorization: z.looseObject({}).optional(),
  })
  .refine(
    (authorization) =>
      (authorization.erc3009Authorization === undefined) !== (authorization.permit2Authorization === undefined),
    "must hold exactly one of erc3009Authorization or permit2Authorization",
  );

export const DepositPayload = z.object({
  type: z.literal("deposit"),
  channelConfig: ChannelConfig,
  voucher: VoucherFields,
  deposit: z.object({ amount: Uint128String, authorization: DepositAuthorization }),
});
export type DepositPayload = z.infer<typeof DepositPayload>;

export const VoucherPayload = z.object({
  type: z.literal("voucher"),
  channelConfig: ChannelConfig,
  voucher: VoucherFields,
});
export type VoucherPayload = z.infer<typeof VoucherPayload>;

export const VoucherClaim = z.object({
  voucher: z.object({ channel: ChannelConfig, maxClaimableAmount: Uint128String }),
  signature: HexSignature,
  totalClaimed: Uint128String,
});
export type VoucherClaim = z.infer<typeof VoucherClaim>;

/**
 * A refund: the client's form (verify: a zero-charge voucher, an optional amount) and the server's completed form
 * (settle: with the refund nonce, the claims to fold in and, when the server holds the authorizer key, signatures).
 */
export const RefundPayload = z.object({
  type: z.literal("refund"),
  channelConfig: ChannelConfig,
  voucher: VoucherFields,
  amount: Uint128String.optional(),
  refundNonce: Uint256String.optional(),
  claims: z.array(VoucherClaim).max(MAX_CLAIMS_PER_BATCH).optional(),
  refundAuthorizerSignature: HexSignature.optional(),
  claimAuthorizerSignature: HexSignature.optional(),
});
export type RefundPayload = z.infer<typeof RefundPayload>;

export const ClaimPayload = z.object({
  type: z.literal("claim"),
  claims: z.array(VoucherClaim).min(1).max(MAX_CLAIMS_PER_BATCH),
  claimAuthorizerSignature: HexSignature.optional(),
});
export type ClaimPayload = z.infer<typeof ClaimPayload>;

export const SettlePayload = z.object({
  type: z.literal("settle"),
  receiver: PayloadAddress,
  token: PayloadAddress,
});
export type SettlePayload = z.infer<typeof SettlePayload>;

/** Every `payload` of a `batch-settlement` request, by its `type` (the SDK dispatches on it). */
export const BatchSettlementPayload = z.discriminatedUnion("type", [
  DepositPayload,
  VoucherPayload,
  RefundPayload,
  ClaimPayload,
  SettlePayload,
]);
export type BatchSettlementPayload = z.infer<typeof BatchSettlementPayload>;
export type BatchPayloadType = BatchSettlementPayload["type"];

/** A refund the server has completed for settlement: what `/settle` takes. */
export type EnrichedRefundPayload = RefundPayload & { amount: string; refundNonce: string; claims: VoucherClaim[] };
export const isEnrichedRefund = (payload: RefundPayload): payload is EnrichedRefundPayload =>
  payload.amount !== undefined && payload.refundNonce !== undefined && payload.claims !== undefined;

export const isPermit2Deposit = (payload: BatchSettlementPayload) =>
  payload.type === "deposit" && payload.deposit.authorization.erc3009Authorization === undefined;

/**
 * `extra` of batch-settlement requirements. Each field is optional here: the channel manager's claim, settle and
 * refund requests carry `extra: {}`, and the SDK refuses a deposit or voucher without them, with its own reason.
 * Other fields (`channelState`, `voucherState`, `minDeposit`) pass through untouched.
 */
const BatchRequirementsExtra = z.looseObject({
  receiverAuthorizer: PayloadAddress.optional(),
  withdrawDelay: z.union([Uint40, z.string().regex(/^[0-9]{1,13}$/, "must be a number of seconds")]).optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  assetTransferMethod: z.enum(["eip3009", "permit2"]).optional(),
});

/**
 * x402 v2 payment requirements for `batch-settlement`. As the core schema, except that `maxTimeoutSeconds` may be 0:
 * the SDK's `BatchSettlementChannelManager` sends 0 on its claim, settle and refund requests, and the scheme's
 * facilitator never reads it.
 */
export const BatchRequirements = z.object({
  scheme: z.literal("batch-settlement"),
  network: Caip2Network,
  amount: Uint256String,
  asset: PayloadAddress,
  payTo: PayloadAddress,
  maxTimeoutSeconds: z.number().nonnegative(),
  extra: BatchRequirementsExtra.nullish(),
});
export type BatchRequirements = z.infer<typeof BatchRequirements>;

/** The payload's copy of what it accepted; its scheme and network are compared with the requirements' by policy. */
const BatchAccepted = BatchRequirements.extend({ scheme: z.string().min(1) });

/** An x402 v2 payment payload whose `payload` is a batch-settlement operation. */
export const BatchPaymentPayloadEnvelope = z.object({
  x402Version: z.literal(2),
  resource: z.looseObject({ url: z.string().min(1) }).nullish(),
  accepted: BatchAccepted,
  payload: BatchSettlementPayload,
  extensions: z.record(z.string(), z.unknown()).nullish(),
});

export type BatchRequestProblem = { message: string; issues: z.core.$ZodIssue[] };

/**
 * Parses a batch-settlement request field by field. Returns the parsed payload (unknown fields dropped), which is
 * what the facilitator then works with, or the first problem.
 */
export function parseBatchRequest(
  paymentPayload: unknown,
  paymentRequirements: unknown,
):
  | { ok: true; paymentPayload: z.infer<typeof BatchPaymentPayloadEnvelope>; paymentRequirements: BatchRequirements }
  | ({ ok: false } & BatchRequestProblem) {
  const requirements = BatchRequirements.safeParse(paymentRequirements);
  if (!requirements.success) return { ok: false, ...problemOf("paymentRequirements", requirements.error) };
  const payload = BatchPaymentPayloadEnvelope.safeParse(paymentPayload);
  if (!payload.success) return { ok: false, ...problemOf("paymentPayload", payload.error) };
  return { ok: true, paymentPayload: payload.data, paymentRequirements: requirements.data };
}

function problemOf(where: string, error: z.ZodError): BatchRequestProblem {
  const issues = error.issues.map((issue) => ({ ...issue, path: [where, ...issue.path] }));
  const first = issues[0] as z.core.$ZodIssue;
  return { message: `${first.path.join(".")}: ${first.message}`, issues };
}
