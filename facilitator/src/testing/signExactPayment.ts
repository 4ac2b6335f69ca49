import { randomBytes } from "node:crypto";
import { transferWithAuthorizationTypes } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { getAddress, type Hex, type LocalAccount, toHex } from "viem";

export type SignExactPaymentParameters = {
  account: LocalAccount;
  requirements: PaymentRequirements;
  value?: bigint;
  validAfter?: bigint;
  validBefore?: bigint;
  nonce?: Hex;
  to?: Hex;
};

/**
 * Signs an x402 v2 `exact` EIP-3009 payment by hand, field by field, so tests can produce what the SDK's
 * client never would (expired, not yet valid, wrong amount) with a signature that is still genuine.
 */
export async function signExactPayment({
  account,
  requirements,
  value = BigInt(requirements.amount),
  validAfter = BigInt(Math.floor(Date.now() / 1000) - 600),
  validBefore = BigInt(Math.floor(Date.now() / 1000) + requirements.maxTimeoutSeconds),
  nonce = toHex(randomBytes(32)),
  to = requirements.payTo as Hex,
}: SignExactPaymentParameters): Promise<PaymentPayload> {
  const extra = requirements.extra as { name: string; version: string };
  const authorization = { from: account.address, to: getAddress(to), value, validAfter, validBefore, nonce };
  const signature = await account.signTypedData({
    domain: {
      name: extra.name,
      version: extra.version,
      chainId: Number(requirements.network.split(":")[1]),
      verifyingContract: getAddress(requirements.asset),
    },
    types: transferWithAuthorizationTypes,
    primaryType: "TransferWithAuthorization",
    message: authorization,
  });
  return {
    x402Version: 2,
    accepted: requirements,
    payload: {
      signature,
      authorization: {
        ...authorization,
        value: value.toString(),
        validAfter: validAfter.toString(),
        validBefore: validBefore.toString(),
      },
    },
  };
}
