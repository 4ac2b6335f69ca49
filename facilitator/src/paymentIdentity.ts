import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { getAddress } from "viem";
import { Eip3009Payload, isPermit2Payload } from "./exactPayload.ts";

/** What makes a payment one payment: an EIP-3009 authorization nonce is single-use per payer and token. */
export type PaymentIdentity = {
  key: string;
  network: string;
  asset: `0x${string}`;
  payer: `0x${string}`;
  payTo: `0x${string}`;
  amount: string;
  nonce: `0x${string}`;
  signature: string;
};

export function paymentIdentity(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
): PaymentIdentity | undefined {
  // The SDK settles a payload with a Permit2 authorization as Permit2, whatever else it carries.
  if (isPermit2Payload(payload.payload)) return undefined;
  const parsed = Eip3009Payload.safeParse(payload.payload);
  if (!parsed.success) return undefined;
  const { authorization, signature } = parsed.data;
  const asset = getAddress(requirements.asset);
  const payer = getAddress(authorization.from);
  const nonce = authorization.nonce.toLowerCase() as `0x${string}`;
  return {
    key: `${requirements.network}:${asset}:${payer}:${nonce}`,
    network: requirements.network,
    asset,
    payer,
    payTo: getAddress(authorization.to),
    amount: authorization.value,
    nonce,
    signature,
  };
}
