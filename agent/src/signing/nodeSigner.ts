import { type NodeChallengeAnswer, signNodeChallenge, signUsageReceipt, type UsageReceipt } from "@wg402/shared";
import type { ResourceServerExtension } from "@x402/core/types";
import {
  createEIP712OfferReceiptIssuer,
  createOfferReceiptExtension,
  declareOfferReceiptExtension,
  OFFER_RECEIPT,
} from "@x402/extensions/offer-receipt";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** What the node signs with its own key: x402 offers and payment receipts, and each lease's usage receipt. */
export type NodeSigner = {
  address: Hex;
  /** The x402 `offer-receipt` extension, for the resource server to register. */
  extension: ResourceServerExtension;
  /** The receipt with its `proof`: the node's EIP-712 signature over it on `chainId`'s domain. */
  signUsage(receipt: UsageReceipt, chainId: number): Promise<UsageReceipt>;
  /** `GET /?challenge=`: proof that this endpoint is this node (shared/src/nodeChallenge.ts). */
  signChallenge(claim: { challenge: Hex; wireguardKey: string; endpoint: string }): Promise<NodeChallengeAnswer>;
};

/** What the paid routes declare: the receipt names the tx (the payer has it already in PAYMENT-RESPONSE). */
export const OFFER_RECEIPT_DECLARATION = declareOfferReceiptExtension({ includeTxHash: true });

export function createNodeSigner(privateKey: Hex): NodeSigner {
  const account = privateKeyToAccount(privateKey);
  // did:pkh names the key by its address: a verifier compares it with the node's advertised offerSigner.
  const issuer = createEIP712OfferReceiptIssuer(`did:pkh:eip155:1:${account.address}`, (typed) =>
    account.signTypedData(typed as Parameters<typeof account.signTypedData>[0]),
  );
  const extension = createOfferReceiptExtension(issuer);
  const declaration = OFFER_RECEIPT_DECLARATION[OFFER_RECEIPT];
  return {
    address: account.address,
    // The SDK builds a request's 402 (also for a paid request) into the same map its settle later reads, so
    // the route's declaration arrives there replaced by the offers: the hooks get the declaration pinned.
    extension: {
      ...extension,
      enrichPaymentRequiredResponse: (_declared, context) =>
        extension.enrichPaymentRequiredResponse?.(declaration, context) ?? Promise.resolve(undefined),
      enrichSettlementResponse: (_declared, context) =>
        extension.enrichSettlementResponse?.(declaration, context) ?? Promise.resolve(undefined),
    },
    signUsage: (receipt, chainId) => signUsageReceipt(receipt, chainId, account),
    signChallenge: (claim) => signNodeChallenge(claim, account),
  };
}
