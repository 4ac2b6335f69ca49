import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { getAddress } from "viem";
import { z } from "zod";

const Eip3009Payload = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  authorization: z.object({
    from: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    to: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    value: z.string(),
    validAfter: z.string(),
    validBefore: z.string(),
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  }),
});

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
