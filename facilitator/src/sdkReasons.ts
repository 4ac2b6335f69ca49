/**
 * Reason codes of the x402 SDK's `exact` EVM facilitator, as @x402/evm 2.27 defines them in
 * src/exact/facilitator/errors.ts (ErrRecipientMismatch, ...). The package does not export them. The
 * facilitator answers with them where it refuses what the SDK would refuse, so that clients branch on one
 * set of codes; sdkReasons.test.ts drives the SDK to produce each one and compares.
 */
export const SdkReason = {
  /** ErrRecipientMismatch */
  recipient_mismatch: "invalid_exact_evm_recipient_mismatch",
  /** ErrAuthorizationValueMismatch */
  value_mismatch: "invalid_exact_evm_payload_authorization_value_mismatch",
  /** ErrNetworkMismatch */
  network_mismatch: "invalid_exact_evm_network_mismatch",
  /** ErrInvalidSignature; also the answer for another asset, which is the signature's verifying contract. */
  invalid_signature: "invalid_exact_evm_signature",
  /** ErrMissingEip712Domain */
  missing_eip712_domain: "invalid_exact_evm_missing_eip712_domain",
} as const;
export type SdkReason = (typeof SdkReason)[keyof typeof SdkReason];
