// The node's signed offer (x402 `offer-receipt`) for the one requirement this client is about to pay, checked
// against the signer the node advertises in `GET /` before anything is signed.
import { ErrorCode } from "@wg402/shared";
import type { PaymentRequired, PaymentRequirements } from "@x402/core/types";
import {
  type EIP712SignedOffer,
  extractOfferPayload,
  extractOffersFromPaymentRequired,
  type OfferPayload,
  type SignedOffer,
  verifyOfferSignatureEIP712,
} from "@x402/extensions/offer-receipt";
import { type Hex, isAddressEqual } from "viem";
import { ClientError } from "../errors.ts";

export type OfferVerdict =
  | { signed: true; signer: Hex; offer: EIP712SignedOffer }
  /** Nothing checkable was offered; paying is allowed only when signed offers are not required. */
  | { signed: false; why: string };

export type OfferPolicy = {
  /** The node's advertised `offerSigner`; absent when its info names none. */
  signer?: string;
  /** Refuse to pay without an offer signed by `signer`. A bad or foreign signature is refused either way. */
  requireSigned: boolean;
};

const sameTerms = (payload: OfferPayload, requirement: PaymentRequirements) =>
  payload.scheme === requirement.scheme &&
  payload.network === requirement.network &&
  payload.asset.toLowerCase() === requirement.asset.toLowerCase() &&
  payload.payTo.toLowerCase() === requirement.payTo.toLowerCase() &&
  payload.amount === requirement.amount;

function payloadOf(offer: SignedOffer): OfferPayload | null {
  try {
    return extractOfferPayload(offer);
  } catch {
    return null;
  }
}

/**
 * The verdict on the offer for `requirement`. Throws `offer_invalid` when an offer is signed badly, by a key
 * other than the advertised one, or for other terms than those asked (the requirement was altered), and
 * `offer_unsigned` when signing is required and there is nothing to check.
 */
export async function checkOffer(
  paymentRequired: PaymentRequired,
  requirement: PaymentRequirements,
  policy: OfferPolicy,
): Promise<OfferVerdict> {
  const offers = extractOffersFromPaymentRequired(paymentRequired);
  const sameKind = offers
    .map((offer) => ({ offer, payload: payloadOf(offer) }))
    .filter(
      (o): o is { offer: SignedOffer; payload: OfferPayload } =>
        o.payload !== null && o.payload.scheme === requirement.scheme && o.payload.network === requirement.network,
    );
  const match = sameKind.find((o) => sameTerms(o.payload, requirement));
  if (!match && sameKind.length > 0) {
    throw new ClientError(
      `the node's signed offer for ${requirement.scheme} says other terms than its 402 asks (${requirement.amount} to ${requirement.payTo}); nothing was signed`,
      { code: ErrorCode.offer_invalid, details: { requirement, offers: sameKind.map((o) => o.payload) } },
    );
  }
  const unsigned = (why: string): OfferVerdict => {
    if (policy.requireSigned) {
      throw new ClientError(`${why}, and signed offers are required; nothing was signed`, {
        code: ErrorCode.offer_unsigned,
      });
    }
    return { signed: false, why };
  };
  if (!match) return unsigned(`the node's 402 carries no signed offer for ${requirement.scheme}`);
  if (match.offer.format !== "eip712") return unsigned("the node's offer is signed as JWS, not EIP-712");

  let signer: Hex;
  try {
    signer = (await verifyOfferSignatureEIP712(match.offer)).signer;
  } catch (cause) {
    throw new ClientError("the node's signed offer does not verify; nothing was signed", {
      code: ErrorCode.offer_invalid,
      cause,
    });
  }
  if (!policy.signer) return unsigned("the node advertises no offerSigner to check its offer against");
  if (!isAddressEqual(signer, policy.signer as Hex)) {
    throw new ClientError(
      `the node's offer is signed by ${signer}, not by ${policy.signer} as its info says; nothing was signed`,
      { code: ErrorCode.offer_invalid, details: { signer, advertised: policy.signer } },
    );
  }
  return { signed: true, signer, offer: match.offer };
}
