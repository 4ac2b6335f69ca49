import { z } from "zod";

/**
 * Every error code that crosses the wire, defined once. Codes are stable snake_case: clients branch on
 * them, so never rename one; add a new code instead.
 */
export const ErrorCode = {
  // request shape
  invalid_json: "invalid_json",
  invalid_request: "invalid_request",
  invalid_public_key: "invalid_public_key",
  invalid_minutes: "invalid_minutes",
  payload_too_large: "payload_too_large",
  unsupported_media_type: "unsupported_media_type",
  not_found: "not_found",
  method_not_allowed: "method_not_allowed",
  // payments
  payment_required: "payment_required",
  invalid_payment_header: "invalid_payment_header",
  payment_failed: "payment_failed",
  settlement_failed: "settlement_failed",
  unsupported_network: "unsupported_network",
  unsupported_scheme: "unsupported_scheme",
  unsupported_asset: "unsupported_asset",
  unsupported_x402_version: "unsupported_x402_version",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  // leases
  lease_not_found: "lease_not_found",
  lease_exists: "lease_exists",
  lease_not_active: "lease_not_active",
  lease_expired: "lease_expired",
  capacity_exhausted: "capacity_exhausted",
  stale_signature: "stale_signature",
  invalid_signature: "invalid_signature",
  payment_replayed: "payment_replayed",
  // payments whose outcome is not known yet, and payment services that are down
  settlement_unknown: "settlement_unknown",
  facilitator_unavailable: "facilitator_unavailable",
  rate_limited: "rate_limited",
  // service health
  not_ready: "not_ready",
  internal_error: "internal_error",
  // config
  invalid_config: "invalid_config",
  // client (SDK, CLI, desktop): input
  invalid_argument: "invalid_argument",
  invalid_url: "invalid_url",
  invalid_amount: "invalid_amount",
  // client: the node and the chain
  node_unreachable: "node_unreachable",
  not_a_wg402_node: "not_a_wg402_node",
  not_x402: "not_x402",
  node_error: "node_error",
  rpc_unreachable: "rpc_unreachable",
  chain_mismatch: "chain_mismatch",
  local_stack_missing: "local_stack_missing",
  // client: money
  spend_cap_exceeded: "spend_cap_exceeded",
  payment_exceeds_quote: "payment_exceeds_quote",
  pay_to_mismatch: "pay_to_mismatch",
  insufficient_balance: "insufficient_balance",
  insufficient_gas: "insufficient_gas",
  faucet_unavailable: "faucet_unavailable",
  // client: wallet
  wallet_not_found: "wallet_not_found",
  wallet_exists: "wallet_exists",
  wrong_passphrase: "wrong_passphrase",
  invalid_keystore: "invalid_keystore",
  invalid_private_key: "invalid_private_key",
  passphrase_required: "passphrase_required",
  // client: tunnel
  root_required: "root_required",
  tool_missing: "tool_missing",
  tunnel_failed: "tunnel_failed",
  // client: local session
  no_active_lease: "no_active_lease",
  already_connected: "already_connected",
  lease_not_extended: "lease_not_extended",
  aborted: "aborted",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The body of every 4xx/5xx response: a machine-readable code and a sentence for humans. */
export const WireError = z.object({
  error: z.enum(ErrorCode),
  message: z.string(),
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof WireError>;

export type BaseErrorOptions = {
  code: ErrorCode;
  cause?: unknown;
  details?: unknown;
  metaMessages?: string[];
};

/** The one error class of the project: a short human message, a stable code and the cause that led to it. */
export class BaseError extends Error {
  override name = "Wg402Error";
  readonly shortMessage: string;
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly metaMessages: string[];

  constructor(shortMessage: string, options: BaseErrorOptions) {
    const meta = options.metaMessages ?? [];
    super([shortMessage, ...meta].join("\n"), { cause: options.cause });
    this.shortMessage = shortMessage;
    this.code = options.code;
    this.details = options.details;
    this.metaMessages = meta;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { error: this.code, message: this.shortMessage }
      : { error: this.code, message: this.shortMessage, details: this.details };
  }
}

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
