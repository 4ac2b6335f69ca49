import { type CloseLeaseRequest, ErrorCode, LEASE_ACTION_MAX_SKEW_SECONDS, leaseActionTypedData } from "@wg402/shared";
import { HttpError } from "@wg402/shared/http";
import { type Hex, isAddressEqual, recoverTypedDataAddress } from "viem";

/**
 * Proves a lease action comes from the wallet that paid for the lease: an EIP-712 signature over
 * (lease id, action, timestamp), fresh within a few minutes of the node's clock. 401 when the proof is
 * missing, stale or malformed; 403 when it is valid but from someone else.
 */
export async function verifyLeaseAction(parameters: {
  request: CloseLeaseRequest;
  leaseId: string;
  action: "close";
  chainId: number;
  payer: string;
  nowMs: number;
}): Promise<void> {
  const { request, leaseId, action, chainId, payer, nowMs } = parameters;
  const skew = Math.abs(Math.floor(nowMs / 1000) - request.timestamp);
  if (skew > LEASE_ACTION_MAX_SKEW_SECONDS) {
    throw new HttpError(
      401,
      ErrorCode.stale_signature,
      `the signed timestamp is ${skew} s away from this node's clock (at most ${LEASE_ACTION_MAX_SKEW_SECONDS} s)`,
    );
  }
  let signer: string;
  try {
    signer = await recoverTypedDataAddress({
      ...leaseActionTypedData({ chainId, leaseId, action, timestamp: request.timestamp }),
      signature: request.signature as Hex,
    });
  } catch {
    throw new HttpError(401, ErrorCode.invalid_signature, "the signature does not recover to any address");
  }
  if (!isAddressEqual(signer as Hex, payer as Hex)) {
    throw new HttpError(403, ErrorCode.forbidden, "only the wallet that paid for this lease may close it");
  }
}
