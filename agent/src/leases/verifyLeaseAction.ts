import {
  BaseError,
  type CloseLeaseRequest,
  ErrorCode,
  LEASE_ACTION_MAX_FUTURE_SKEW_SECONDS,
  LEASE_ACTION_MAX_SKEW_SECONDS,
  type LeaseAction,
  leaseActionTypedData,
} from "@wg402/shared";
import { type Hex, isAddressEqual, recoverTypedDataAddress } from "viem";

/**
 * Proves a lease action comes from the wallet that paid for the lease: an EIP-712 signature over
 * (lease id, action, timestamp), dated within a couple of minutes before the node's clock and a few
 * seconds after it. `stale_signature` / `invalid_signature` when the proof is missing, out of date or
 * malformed; `forbidden` when it is valid but from someone else.
 */
export async function verifyLeaseAction(parameters: {
  request: CloseLeaseRequest;
  leaseId: string;
  action: LeaseAction;
  chainId: number;
  payer: string;
  nowMs: number;
}): Promise<void> {
  const { request, leaseId, action, chainId, payer, nowMs } = parameters;
  const age = Math.floor(nowMs / 1000) - request.timestamp;
  if (age > LEASE_ACTION_MAX_SKEW_SECONDS || -age > LEASE_ACTION_MAX_FUTURE_SKEW_SECONDS) {
    throw new BaseError(
      age > 0
        ? `the signed timestamp is ${age} s old (at most ${LEASE_ACTION_MAX_SKEW_SECONDS} s)`
        : `the signed timestamp is ${-age} s ahead of this node's clock (at most ${LEASE_ACTION_MAX_FUTURE_SKEW_SECONDS} s)`,
      { code: ErrorCode.stale_signature },
    );
  }
  let signer: string;
  try {
    signer = await recoverTypedDataAddress({
      ...leaseActionTypedData({ chainId, leaseId, action, timestamp: request.timestamp }),
      signature: request.signature as Hex,
    });
  } catch {
    throw new BaseError("the signature does not recover to any address", { code: ErrorCode.invalid_signature });
  }
  if (!isAddressEqual(signer as Hex, payer as Hex)) {
    throw new BaseError(`only the wallet that paid for this lease may ${action} it`, { code: ErrorCode.forbidden });
  }
}
