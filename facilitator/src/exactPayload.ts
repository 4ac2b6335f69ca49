import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { isAddress } from "viem";
import { z } from "zod";

const UINT256_MAX = 2n ** 256n - 1n;

// The SDK hands these strings to BigInt() and viem's encoders, which throw on anything else ("1e3", "0x",
// a checksum typo): a 500 instead of an answer. So they are checked here, once, before any use.
const Uint256 = z
  .string()
  .refine(
    (value) => /^[0-9]{1,78}$/.test(value) && BigInt(value) <= UINT256_MAX,
    "must be a uint256 as a decimal string (0 to 2^256 - 1)",
  );
const Address = z
  .string()
  .refine((value) => isAddress(value), "must be a 0x-prefixed 20-byte hex address with a valid checksum");
const Bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x-prefixed 32-byte hex");
const HexBytes = z.string().regex(/^0x(?:[0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes");

/** The EIP-3009 payload of the x402 `exact` scheme, every field as the SDK and the chain need it. */
export const Eip3009Payload = z.object({
  signature: HexBytes,
  authorization: z.object({
    from: Address,
    to: Address,
    value: Uint256,
    validAfter: Uint256,
    validBefore: Uint256,
    nonce: Bytes32,
  }),
});
export type Eip3009Payload = z.infer<typeof Eip3009Payload>;

/** The fields of `exact` requirements (and of the payload's `accepted` copy) that the SDK parses. */
const ExactRequirements = z.object({
  amount: Uint256,
  asset: Address,
  payTo: Address,
  extra: z
    .object({ name: z.string().optional(), version: z.string().optional() })
    .nullish()
    .transform((extra) => extra ?? undefined),
});

/** The SDK's own test for its other `exact` payload kind, which keeps its own validation. */
export const isPermit2Payload = (payload: PaymentPayload["payload"]) => "permit2Authorization" in payload;

export type ExactRequestProblem = { message: string; issues: z.core.$ZodIssue[] };

/**
 * Checks an `exact` request field by field. Other schemes pass through: the policy refuses them with a
 * reason of their own.
 */
export function exactRequestProblem(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
): ExactRequestProblem | undefined {
  if (requirements.scheme !== "exact") return undefined;
  const checks: [string, z.ZodType, unknown][] = [
    ["paymentRequirements", ExactRequirements, requirements],
    ["paymentPayload.accepted", ExactRequirements, payload.accepted],
  ];
  if (!isPermit2Payload(payload.payload)) checks.push(["paymentPayload.payload", Eip3009Payload, payload.payload]);
  for (const [where, schema, value] of checks) {
    const result = schema.safeParse(value);
    if (result.success) continue;
    const issues = result.error.issues.map((issue) => ({ ...issue, path: [...where.split("."), ...issue.path] }));
    const first = issues[0] as z.core.$ZodIssue;
    return { message: `${first.path.join(".")}: ${first.message}`, issues };
  }
  return undefined;
}
