import {
  ExactEip3009Payload,
  findAuthorizationTransfer,
  isAuthorizationUsed,
  type PaymentIdentity,
  transferWithAuthorizationTypes,
} from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { type Hex, type PublicClient, TransactionNotFoundError, TransactionReceiptNotFoundError } from "viem";
import { SdkReason } from "./sdkReasons.ts";
import type { TxSubmitter } from "./txSubmitter.ts";

// What the settlement service asks the chain itself, beside the SDK: where a transaction stands, and
// whether (and how) an authorization was already spent.

export type NetworkBackend = { network: string; publicClient: PublicClient; submitter: TxSubmitter };

export type TxOutcome = "success" | "reverted" | "pending" | "unknown";

export async function txOutcome(backend: NetworkBackend, hash: Hex): Promise<TxOutcome> {
  try {
    const receipt = await backend.publicClient.getTransactionReceipt({ hash });
    return receipt.status === "success" ? "success" : "reverted";
  } catch (error) {
    if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
  }
  try {
    await backend.publicClient.getTransaction({ hash });
    return "pending";
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return "unknown";
    throw error;
  }
}

export function authorizationUsed(
  backend: NetworkBackend,
  identity: Pick<PaymentIdentity, "asset" | "payer" | "nonce">,
): Promise<boolean> {
  return isAuthorizationUsed(backend.publicClient, identity);
}

export function findAuthorizationTx(
  backend: NetworkBackend,
  identity: Pick<PaymentIdentity, "asset" | "payer" | "nonce" | "payTo" | "amount">,
  lookbackBlocks: bigint,
): Promise<string | undefined> {
  return findAuthorizationTransfer(backend.publicClient, {
    ...identity,
    amount: BigInt(identity.amount),
    lookbackBlocks,
  });
}

/**
 * The SDK's signature check, for a payment the SDK will not see because the chain already executed it.
 * Without it, anyone could present that public transfer with a junk signature and have the junk recorded
 * as the payment, so that the genuine one is later refused as a reused nonce.
 */
export async function authorizationSignatureProblem(
  backend: NetworkBackend,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
): Promise<string | undefined> {
  const { name, version } = (requirements.extra ?? {}) as { name?: string; version?: string };
  if (!name || !version) return SdkReason.missing_eip712_domain;
  const { authorization, signature } = ExactEip3009Payload.parse(payload.payload);
  const valid = await backend.publicClient.verifyTypedData({
    address: authorization.from as Hex,
    domain: {
      name,
      version,
      chainId: Number(requirements.network.split(":")[1]),
      verifyingContract: requirements.asset as Hex,
    },
    types: transferWithAuthorizationTypes,
    primaryType: "TransferWithAuthorization",
    message: {
      from: authorization.from as Hex,
      to: authorization.to as Hex,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
      nonce: authorization.nonce as Hex,
    },
    signature: signature as Hex,
  });
  return valid ? undefined : SdkReason.invalid_signature;
}
