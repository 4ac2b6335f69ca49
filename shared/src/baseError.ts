// The error shape of the project, with no dependency at all: the desktop renderer imports this module
// (`@wg402/shared/errors`) without pulling zod, viem or Node into the page.

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
  invalid_megabytes: "invalid_megabytes",
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
  data_not_offered: "data_not_offered",
  plan_mismatch: "plan_mismatch",
  capacity_exhausted: "capacity_exhausted",
  stale_signature: "stale_signature",
  invalid_signature: "invalid_signature",
  payment_replayed: "payment_replayed",
  // payments whose outcome is not known yet, and payment services that are down
  settlement_unknown: "settlement_unknown",
  facilitator_unavailable: "facilitator_unavailable",
  rate_limited: "rate_limited",
  // service health
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
  weak_passphrase: "weak_passphrase",
  passphrase_mismatch: "passphrase_mismatch",
  // client: tunnel
  root_required: "root_required",
  tool_missing: "tool_missing",
  tunnel_failed: "tunnel_failed",
  no_handshake: "no_handshake",
  // client: local session
  no_active_lease: "no_active_lease",
  already_connected: "already_connected",
  lease_not_extended: "lease_not_extended",
  aborted: "aborted",
  // node: escrow channels
  channel_mismatch: "channel_mismatch",
  channel_closing: "channel_closing",
  channel_in_use: "channel_in_use",
  channel_store_unavailable: "channel_store_unavailable",
  // client: escrow channels
  channel_not_offered: "channel_not_offered",
  channel_refund_failed: "channel_refund_failed",
  channel_unknown: "channel_unknown",
  channel_withdraw_refused: "channel_withdraw_refused",
  // client: signed offers and receipts
  offer_unsigned: "offer_unsigned",
  offer_invalid: "offer_invalid",
  receipt_invalid: "receipt_invalid",
  // client: discovery (issue 16)
  node_untrusted: "node_untrusted",
  // node: its NodeRegistry entry (issue 16)
  registry_entry_missing: "registry_entry_missing",
  registry_not_operator: "registry_not_operator",
  registry_stale_version: "registry_stale_version",
  registry_unbonding_not_over: "registry_unbonding_not_over",
  registry_refused: "registry_refused",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The body of every 4xx/5xx response: a machine-readable code and a sentence for humans. */
export type WireErrorBody = { error: ErrorCode; message: string; details?: unknown };

/**
 * Codes of the WireGuard control layer (`@wg402/wireguard`): internal, never sent on the wire, so an HTTP
 * edge that meets one answers `internal_error`.
 * - `invalid_argument`: the caller asked for something ambiguous (a key twice in one batch, a bad name);
 * - `errno`: the device refused, or would refuse, the change (`details.errno` holds its negative errno);
 * - `io`: the device or the `wg` tool could not be reached;
 * - `closed`: the driver was closed.
 */
export const DeviceErrorCode = {
  invalid_argument: "invalid_argument",
  io: "io",
  errno: "errno",
  closed: "closed",
} as const;
export type DeviceErrorCode = (typeof DeviceErrorCode)[keyof typeof DeviceErrorCode];

export type BaseErrorOptions<C extends string = ErrorCode> = {
  code: C;
  cause?: unknown;
  details?: unknown;
  metaMessages?: string[];
};

/**
 * The one error shape of the project: a short human message, a stable snake_case code, details a program
 * can read, and the cause that led to it. Domain code throws these; only the HTTP edges map a code to a
 * status (`httpStatusFor`).
 */
export class BaseError<C extends string = ErrorCode> extends Error {
  override name = "Wg402Error";
  readonly shortMessage: string;
  readonly code: C;
  readonly details: unknown;
  readonly metaMessages: string[];
  /** False for layers whose codes are internal (the device): an edge answers those as `internal_error`. */
  readonly onWire: boolean = true;

  constructor(shortMessage: string, options: BaseErrorOptions<C>) {
    const meta = options.metaMessages ?? [];
    super([shortMessage, ...meta].join("\n"), { cause: options.cause });
    this.shortMessage = shortMessage;
    this.code = options.code;
    this.details = options.details;
    this.metaMessages = meta;
  }

  /**
   * Follows the chain of causes, as viem's `walk`: the first error (this one included) for which `matches`
   * is true, or, without `matches`, the deepest cause.
   */
  walk(matches?: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    for (let depth = 0; depth < 32; depth++) {
      if (matches?.(current)) return current;
      const next = (current as { cause?: unknown } | null)?.cause;
      if (next === undefined || next === null) return matches ? undefined : current;
      current = next;
    }
    return matches ? undefined : current;
  }

  toWire(): WireErrorBody {
    if (!isWireError(this)) return { error: ErrorCode.internal_error, message: "internal error" };
    const code = this.code as ErrorCode;
    return this.details === undefined
      ? { error: code, message: this.shortMessage }
      : { error: code, message: this.shortMessage, details: this.details };
  }
}

/** Whether `error` is a {@link BaseError} that carries one of the wire codes. */
export function isWireError(error: unknown): error is BaseError<ErrorCode> {
  return error instanceof BaseError && error.onWire && error.code in ErrorCode;
}
