import type { PaymentIdentity } from "@wg402/shared";
import { FacilitatorReason } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { SdkReason } from "./sdkReasons.ts";

/** What a payment moves: which token on which chain, to whom, how much. */
export type PaymentTerms = { network: string; asset: string; payTo: string; amount: string };

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * How `terms` differ from `requirements`, named as the SDK names the same refusal; undefined when they
 * match exactly. Amounts are uint256 decimal strings (checked at the HTTP boundary), so compared as numbers.
 */
export function termsMismatch(terms: PaymentTerms, requirements: PaymentRequirements): string | undefined {
  if (terms.network !== requirements.network) return SdkReason.network_mismatch;
  if (!sameAddress(terms.asset, requirements.asset)) return SdkReason.invalid_signature;
  if (!sameAddress(terms.payTo, requirements.payTo)) return SdkReason.recipient_mismatch;
  if (BigInt(terms.amount) !== BigInt(requirements.amount)) return SdkReason.value_mismatch;
  return undefined;
}

/**
 * Whether an EIP-3009 payment is for exactly these requirements: its authorization (who receives how much)
 * and its `accepted` copy. A settled payment is public calldata, so anyone can present it again with
 * requirements of their choosing; only an exact match may be answered with its settlement.
 */
export function paymentMismatch(
  identity: PaymentIdentity,
  accepted: PaymentPayload["accepted"],
  requirements: PaymentRequirements,
): string | undefined {
  if (accepted.scheme !== requirements.scheme) return FacilitatorReason.accepted_requirements_mismatch;
  return termsMismatch(identity, requirements) ?? termsMismatch(accepted, requirements);
}
