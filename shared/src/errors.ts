import { z } from "zod";
import { ErrorCode, type WireErrorBody } from "./baseError.ts";

export * from "./baseError.ts";

/** The body of every 4xx/5xx response: a machine-readable code and a sentence for humans. */
export const WireError = z.object({
  error: z.enum(ErrorCode),
  message: z.string(),
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof WireError>;
// The schema and the dependency-free body type describe one shape.
const sameShape: WireErrorBody extends WireError ? (WireError extends WireErrorBody ? true : never) : never = true;
void sameShape;

/**
 * Reasons the wg402 facilitator adds to the x402 SDK's own (`invalid_exact_evm_*`, `insufficient_funds`, ...)
 * in `invalidReason` / `errorReason`. Stable snake_case, like the SDK's.
 */
export const FacilitatorReason = {
  unsupported_network: "unsupported_network",
  unsupported_scheme: "unsupported_scheme",
  unsupported_x402_version: "unsupported_x402_version",
  unsupported_payload_type: "unsupported_payload_type",
  asset_not_allowed: "asset_not_allowed",
  pay_to_not_allowed: "pay_to_not_allowed",
  accepted_requirements_mismatch: "accepted_requirements_mismatch",
  authorization_nonce_used: "authorization_nonce_used",
  settlement_pending: "settlement_pending",
  settlement_dropped: "settlement_dropped",
  unexpected_error: "unexpected_error",
} as const;
export type FacilitatorReason = (typeof FacilitatorReason)[keyof typeof FacilitatorReason];
