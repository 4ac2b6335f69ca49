/**
 * Reason codes of the x402 SDK's `batch-settlement` EVM scheme, as @x402/evm 2.27 defines them in
 * src/batch-settlement/errors.ts (ErrReceiverMismatch, ...); the package does not export them. The facilitator
 * answers with them where it refuses what the SDK would refuse; batchReasons.test.ts finds each in the SDK's build.
 */
export const SdkBatchReason = {
  /** ErrInvalidPayloadType: the payload's type is not one this operation takes (a voucher to /settle, ...). */
  payload_type: "invalid_batch_settlement_evm_payload_type",
  /** ErrReceiverMismatch */
  receiver_mismatch: "invalid_batch_settlement_evm_receiver_mismatch",
  /** ErrTokenMismatch */
  token_mismatch: "invalid_batch_settlement_evm_token_mismatch",
  /** ErrChannelIdMismatch */
  channel_id_mismatch: "invalid_batch_settlement_evm_channel_id_mismatch",
  /** ErrRefundAmountInvalid */
  refund_amount_invalid: "invalid_batch_settlement_evm_refund_amount_invalid",
  /** ErrRpcReadFailed */
  rpc_read_failed: "invalid_batch_settlement_evm_rpc_read_failed",
  /** ErrInvalidReceiveAuthorizationSignature: the payer's ERC-3009 deposit signature does not verify. */
  receive_authorization_signature: "invalid_batch_settlement_evm_receive_authorization_signature",
} as const;
export type SdkBatchReason = (typeof SdkBatchReason)[keyof typeof SdkBatchReason];

/** wg402's own batch-settlement reasons, beside the shared FacilitatorReason list. */
export const BatchFacilitatorReason = {
  /** A refund with a refund nonce that an earlier refund of the channel, with other terms, already used. */
  refund_nonce_used: "refund_nonce_used",
  /** A refund the facilitator would have to sign itself, asked for without an API key (batchGuards.ts). */
  refund_not_authenticated: "refund_not_authenticated",
  /** A claim batch in which no row raises its channel's claimed total: on-chain it would change nothing. */
  nothing_to_claim: "nothing_to_claim",
} as const;
export type BatchFacilitatorReason = (typeof BatchFacilitatorReason)[keyof typeof BatchFacilitatorReason];
