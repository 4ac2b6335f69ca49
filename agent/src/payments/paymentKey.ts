import type { PaymentPayload } from "@x402/core/types";

/** What identifies one payment (so it buys one thing) and who made it, as its scheme defines them. */
export type PaymentIdentity = { key: string; payer: string; scheme: string; network: string; asset: string };

type Extractor = (payload: PaymentPayload) => PaymentIdentity | undefined;

/**
 * `exact` over EIP-3009: the authorization nonce is single-use per payer and token, on-chain. A future
 * scheme (the prepaid escrow's vouchers) registers its own extractor here; nothing else changes.
 */
const exactEip3009: Extractor = (payload) => {
  const authorization = (payload.payload as { authorization?: { from?: unknown; nonce?: unknown } }).authorization;
  const { from, nonce } = authorization ?? {};
  if (typeof from !== "string" || typeof nonce !== "string") return undefined;
  const { network, asset } = payload.accepted;
  return {
    key: `exact:${network}:${asset.toLowerCase()}:${from.toLowerCase()}:${nonce.toLowerCase()}`,
    payer: from,
    scheme: "exact",
    network,
    asset,
  };
};

const extractors: Record<string, Extractor> = { exact: exactEip3009 };

export function paymentIdentity(payload: PaymentPayload): PaymentIdentity | undefined {
  return extractors[payload.accepted?.scheme]?.(payload);
}

/** The on-chain reference inside an `exact` payment key, for checking the chain after a crash. */
export function exactAuthorizationOf(
  paymentKey: string,
): { asset: `0x${string}`; payer: `0x${string}`; nonce: `0x${string}` } | undefined {
  const match = /^exact:eip155:\d+:(0x[0-9a-f]{40}):(0x[0-9a-f]{40}):(0x[0-9a-f]{64})$/.exec(paymentKey);
  if (!match) return undefined;
  return { asset: match[1] as `0x${string}`, payer: match[2] as `0x${string}`, nonce: match[3] as `0x${string}` };
}
