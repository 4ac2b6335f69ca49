import { FacilitatorReason } from "@wg402/shared";
import { FACILITATOR_REFUSED } from "./facilitatorClient.ts";

/**
 * Failure reasons after which no money moved and none can move for this attempt: the facilitator refused
 * the payment before broadcasting anything (its checks, or the SDK's). Any other reason — a timeout, an
 * unconfirmed or reverted-looking transaction, a nonce "already used" (perhaps by this very payment), a
 * reason we do not know — leaves the outcome unknown until the chain says.
 */
const DEFINITIVE = new Set<string>([
  // @x402/evm `exact` verification, which its settle re-runs before sending anything
  "invalid_exact_evm_authorization_value",
  "invalid_exact_evm_failed_to_parse_signature",
  "invalid_exact_evm_insufficient_balance",
  "invalid_exact_evm_network_mismatch",
  "invalid_exact_evm_payload_authorization_valid_after",
  "invalid_exact_evm_payload_authorization_valid_before",
  "invalid_exact_evm_payload_authorization_value_mismatch",
  "invalid_exact_evm_recipient_mismatch",
  "invalid_exact_evm_scheme",
  "invalid_exact_evm_signature",
  "invalid_exact_evm_token_name_mismatch",
  "invalid_exact_evm_token_version_mismatch",
  "invalid_exact_evm_missing_eip712_domain",
  "invalid_exact_evm_eip3009_not_supported",
  "invalid_exact_evm_transaction_simulation_failed",
  // @x402/core
  "unsupported_payload_type",
  "unsupported_payment_flow",
  "missing_scheme",
  // the wg402 facilitator's policy gate
  FacilitatorReason.unsupported_network,
  FacilitatorReason.unsupported_scheme,
  FacilitatorReason.unsupported_x402_version,
  FacilitatorReason.asset_not_allowed,
  FacilitatorReason.pay_to_not_allowed,
  FacilitatorReason.accepted_requirements_mismatch,
  FACILITATOR_REFUSED,
]);

export function isDefinitiveFailure(reason: string | undefined): boolean {
  return reason !== undefined && DEFINITIVE.has(reason);
}
