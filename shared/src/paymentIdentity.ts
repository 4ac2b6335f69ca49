import { getAddress, isAddress, sha256, stringToHex } from "viem";
import { z } from "zod";
import { Caip2Network } from "./chains.ts";

const MAX_UINT256 = 2n ** 256n - 1n;

// The SDK hands these strings to BigInt() and viem's encoders, which throw on anything else ("1e3", "0x",
// a checksum typo): a 500 instead of an answer. So they are checked here, once, before any use.

/** A uint256 as x402 sends it: a decimal string, no sign, no exponent, no hex. */
export const Uint256String = z
  .string()
  .refine(
    (value) => /^[0-9]{1,78}$/.test(value) && BigInt(value) <= MAX_UINT256,
    "must be a uint256 as a decimal string (0 to 2^256 - 1)",
  );

/** An address viem will encode: 20 bytes of hex, and a valid checksum if it is mixed-case. */
export const PayloadAddress = z
  .string()
  .refine((value) => isAddress(value), "must be a 0x-prefixed 20-byte hex address with a valid checksum");

export const Bytes32Hex = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x-prefixed 32-byte hex");
export const HexSignature = z.string().regex(/^0x(?:[0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes");

/** The `payload` of an x402 `exact` EVM payment made with EIP-3009 `transferWithAuthorization`. */
export const ExactEip3009Payload = z.object({
  signature: HexSignature,
  authorization: z.object({
    from: PayloadAddress,
    to: PayloadAddress,
    value: Uint256String,
    validAfter: Uint256String,
    validBefore: Uint256String,
    nonce: Bytes32Hex,
  }),
});
export type ExactEip3009Payload = z.infer<typeof ExactEip3009Payload>;

/** The part of an x402 v2 payment payload that says what it pays for. */
const AcceptedRequirements = z.object({
  scheme: z.string().min(1),
  network: Caip2Network,
  asset: PayloadAddress,
  amount: Uint256String,
  payTo: PayloadAddress,
});

/** The SDK's own test for the other kind of `exact` payload (Permit2), which it settles as such. */
export const isPermit2Payload = (payload: unknown) =>
  typeof payload === "object" && payload !== null && "permit2Authorization" in payload;

/**
 * What makes one payment one payment, whoever looks at it (the node, the facilitator): its scheme, the
 * chain and token, who pays whom how much, and a digest of what was signed. `key` is its stable string form.
 */
type PaymentIdentityBase = {
  scheme: string;
  key: string;
  network: Caip2Network;
  asset: `0x${string}`;
  payer: `0x${string}`;
  payTo: `0x${string}`;
  amount: string;
  /** A digest of everything the payer signed, so two payloads with one key can be told apart. */
  digest: string;
};

/** `exact` over EIP-3009: single-use by its nonce (per payer and token, on-chain), spendable until validBefore. */
export type ExactPaymentIdentity = PaymentIdentityBase & {
  scheme: "exact";
  nonce: `0x${string}`;
  /** Unix seconds after which the authorization can never be spent. */
  validBefore: number;
  signature: `0x${string}`;
};

/**
 * Every identifiable payment. A scheme adds its variant here (the escrow channel: channel id + cumulative
 * amount) and its extractor to `extractors` below; nothing else changes.
 */
export type PaymentIdentity = ExactPaymentIdentity;

export type PaymentIdentityResult =
  | { ok: true; identity: PaymentIdentity }
  | { ok: false; scheme: string | undefined; message: string };

const min = (a: bigint, b: bigint) => (a < b ? a : b);

const exactKey = (network: string, asset: string, payer: string, nonce: string) =>
  `exact:${network}:${asset.toLowerCase()}:${payer.toLowerCase()}:${nonce.toLowerCase()}`;

function exactIdentity(accepted: z.infer<typeof AcceptedRequirements>, payload: unknown): PaymentIdentityResult {
  if (isPermit2Payload(payload)) {
    return { ok: false, scheme: "exact", message: "payload is a Permit2 authorization, which is not accepted" };
  }
  const parsed = ExactEip3009Payload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      scheme: "exact",
      message: `payload.${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`,
    };
  }
  const { authorization, signature } = parsed.data;
  const digest = sha256(
    stringToHex(
      JSON.stringify([accepted.network, accepted.asset.toLowerCase(), signature.toLowerCase(), authorization]),
    ),
  );
  return {
    ok: true,
    identity: {
      scheme: "exact",
      key: exactKey(accepted.network, accepted.asset, authorization.from, authorization.nonce),
      network: accepted.network,
      asset: getAddress(accepted.asset),
      payer: getAddress(authorization.from),
      payTo: getAddress(authorization.to),
      amount: authorization.value,
      nonce: authorization.nonce.toLowerCase() as `0x${string}`,
      validBefore: Number(min(BigInt(authorization.validBefore), BigInt(Number.MAX_SAFE_INTEGER))),
      signature: signature as `0x${string}`,
      digest,
    },
  };
}

const extractors: Record<
  string,
  (accepted: z.infer<typeof AcceptedRequirements>, payload: unknown) => PaymentIdentityResult
> = { exact: exactIdentity };

/** The schemes this project can identify payments of. */
export const identifiableSchemes = Object.keys(extractors);

/**
 * Parses an x402 v2 payment payload's `accepted` and `payload` by schema and returns its identity, or why
 * it has none (junk fields, an unknown scheme). Never throws.
 */
export function paymentIdentityOf(payment: { accepted?: unknown; payload?: unknown }): PaymentIdentityResult {
  const accepted = AcceptedRequirements.safeParse(payment.accepted);
  if (!accepted.success) {
    const issue = accepted.error.issues[0];
    return {
      ok: false,
      scheme: undefined,
      message: `accepted.${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`,
    };
  }
  const extractor = extractors[accepted.data.scheme];
  if (!extractor)
    return { ok: false, scheme: accepted.data.scheme, message: `scheme "${accepted.data.scheme}" is not accepted` };
  return extractor(accepted.data, payment.payload);
}
