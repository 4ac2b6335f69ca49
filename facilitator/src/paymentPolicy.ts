import { FacilitatorReason } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";

export type PaymentPolicyParameters = {
  networks: string[];
  /** Empty means any asset. */
  allowedAssets: string[];
  /** Empty means any recipient. */
  allowedPayTo: string[];
};

/**
 * What this operator is willing to verify and pay gas for, checked before the SDK sees the payment. Returns
 * the reason for a refusal, or undefined.
 */
export function createPaymentPolicy({ networks, allowedAssets, allowedPayTo }: PaymentPolicyParameters) {
  const assets = new Set(allowedAssets.map((a) => a.toLowerCase()));
  const payTos = new Set(allowedPayTo.map((a) => a.toLowerCase()));
  return (payload: PaymentPayload, requirements: PaymentRequirements): FacilitatorReason | undefined => {
    if (payload.x402Version !== 2) return FacilitatorReason.unsupported_x402_version;
    if (requirements.scheme !== "exact") return FacilitatorReason.unsupported_scheme;
    if (!networks.includes(requirements.network)) return FacilitatorReason.unsupported_network;
    if (payload.accepted.scheme !== requirements.scheme || payload.accepted.network !== requirements.network) {
      return FacilitatorReason.accepted_requirements_mismatch;
    }
    if (assets.size > 0 && !assets.has(requirements.asset.toLowerCase())) return FacilitatorReason.asset_not_allowed;
    if (payTos.size > 0 && !payTos.has(requirements.payTo.toLowerCase())) return FacilitatorReason.pay_to_not_allowed;
    return undefined;
  };
}
export type PaymentPolicy = ReturnType<typeof createPaymentPolicy>;
