import { ExactEip3009Payload, isPermit2Payload, PayloadAddress, Uint256String } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { z } from "zod";

/** The fields of `exact` requirements (and of the payload's `accepted` copy) that the SDK parses. */
const ExactRequirements = z.object({
  amount: Uint256String,
  asset: PayloadAddress,
  payTo: PayloadAddress,
  extra: z
    .object({ name: z.string().optional(), version: z.string().optional() })
    .nullish()
    .transform((extra) => extra ?? undefined),
});

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
  if (!isPermit2Payload(payload.payload)) checks.push(["paymentPayload.payload", ExactEip3009Payload, payload.payload]);
  for (const [where, schema, value] of checks) {
    const result = schema.safeParse(value);
    if (result.success) continue;
    const issues = result.error.issues.map((issue) => ({ ...issue, path: [...where.split("."), ...issue.path] }));
    const first = issues[0] as z.core.$ZodIssue;
    return { message: `${first.path.join(".")}: ${first.message}`, issues };
  }
  return undefined;
}
