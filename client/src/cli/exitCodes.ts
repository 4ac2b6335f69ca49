import type { ErrorCode } from "@wg402/shared";

/** The CLI's exit codes, stable for scripts. */
export const ExitCode = {
  ok: 0,
  /** Unexpected: a bug or an unknown failure. */
  failure: 1,
  /** Bad arguments or input. */
  usage: 2,
  /** The node or the chain's RPC cannot be reached or is not what it should be. */
  unreachable: 3,
  /** The node's payment terms are not acceptable, or a payment did not go through. */
  payment: 4,
  /** Not enough tokens or gas. */
  funds: 5,
  /** A spend cap refuses the payment. */
  spendCap: 6,
  /** Root or a system tool is missing. */
  permission: 7,
  /** No wallet, a wrong passphrase, a bad key. */
  wallet: 8,
  /** No current lease, or the node no longer has it. */
  lease: 9,
  /** The tunnel could not be brought up or down. */
  tunnel: 10,
  /** Cancelled at a prompt. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const byCode: Partial<Record<ErrorCode, ExitCode>> = {
  invalid_argument: ExitCode.usage,
  invalid_url: ExitCode.usage,
  invalid_amount: ExitCode.usage,
  invalid_minutes: ExitCode.usage,
  invalid_request: ExitCode.usage,
  invalid_public_key: ExitCode.usage,
  invalid_json: ExitCode.usage,
  node_unreachable: ExitCode.unreachable,
  not_a_wg402_node: ExitCode.unreachable,
  node_error: ExitCode.unreachable,
  rpc_unreachable: ExitCode.unreachable,
  chain_mismatch: ExitCode.unreachable,
  local_stack_missing: ExitCode.unreachable,
  internal_error: ExitCode.unreachable,
  capacity_exhausted: ExitCode.unreachable,
  not_x402: ExitCode.payment,
  unsupported_network: ExitCode.payment,
  unsupported_asset: ExitCode.payment,
  unsupported_scheme: ExitCode.payment,
  unsupported_x402_version: ExitCode.payment,
  payment_required: ExitCode.payment,
  payment_failed: ExitCode.payment,
  settlement_failed: ExitCode.payment,
  invalid_payment_header: ExitCode.payment,
  payment_replayed: ExitCode.payment,
  payment_exceeds_quote: ExitCode.payment,
  pay_to_mismatch: ExitCode.payment,
  offer_unsigned: ExitCode.payment,
  offer_invalid: ExitCode.payment,
  receipt_invalid: ExitCode.payment,
  insufficient_balance: ExitCode.funds,
  insufficient_gas: ExitCode.funds,
  faucet_unavailable: ExitCode.funds,
  spend_cap_exceeded: ExitCode.spendCap,
  root_required: ExitCode.permission,
  tool_missing: ExitCode.permission,
  wallet_not_found: ExitCode.wallet,
  wallet_exists: ExitCode.wallet,
  wrong_passphrase: ExitCode.wallet,
  invalid_keystore: ExitCode.wallet,
  invalid_private_key: ExitCode.wallet,
  passphrase_required: ExitCode.wallet,
  weak_passphrase: ExitCode.wallet,
  passphrase_mismatch: ExitCode.wallet,
  unauthorized: ExitCode.wallet,
  forbidden: ExitCode.wallet,
  invalid_signature: ExitCode.wallet,
  stale_signature: ExitCode.wallet,
  no_active_lease: ExitCode.lease,
  already_connected: ExitCode.lease,
  lease_not_found: ExitCode.lease,
  lease_not_active: ExitCode.lease,
  lease_exists: ExitCode.lease,
  tunnel_failed: ExitCode.tunnel,
  no_handshake: ExitCode.tunnel,
  aborted: ExitCode.interrupted,
};

export function exitCodeFor(code: string): ExitCode {
  return byCode[code as ErrorCode] ?? ExitCode.failure;
}
