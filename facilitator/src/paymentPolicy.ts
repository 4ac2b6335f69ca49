import { FacilitatorReason } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import type { BatchSettlementPayload } from "./batchPayload.ts";

export type PaymentPolicyParameters = {
  /** The schemes offered on each configured network. */
  schemes: Record<string, readonly string[]>;
  /** Empty means any asset. */
  allowedAssets: string[];
  /** Empty means any recipient. */
  allowedPayTo: string[];
};

/**
 * The tokens and receivers a batch-settlement request moves money in or for: the channel's (deposit, voucher,
 * refund), each claim row's channel's, or the settle's. The allowlists apply to these, not only to the
 * requirements, because the SDK binds only a deposit's and a voucher's channel to the requirements.
 */
function batchParties(payload: BatchSettlementPayload): { tokens: string[]; receivers: string[] } {
  switch (payload.type) {
    case "deposit":
    case "voucher":
    case "refund": {
      const claims = payload.type === "refund" ? (payload.claims ?? []) : [];
      return {
        tokens: [payload.channelConfig.token, ...claims.map((c) => c.voucher.channel.token)],
        receivers: [payload.channelConfig.receiver, ...claims.map((c) => c.voucher.channel.receiver)],
      };
    }
    case "claim":
      return {
        tokens: payload.claims.map((c) => c.voucher.channel.token),
        receivers: payload.claims.map((c) => c.voucher.channel.receiver),
      };
    case "settle":
      return { tokens: [payload.token], receivers: [payload.receiver] };
  }
}

/**
 * What this operator is willing to verify and pay gas for, checked before the SDK sees the payment. Returns
 * the reason for a refusal, or undefined. A batch-settlement payload reaches here parsed (app.ts).
 */
export function createPaymentPolicy({ schemes, allowedAssets, allowedPayTo }: PaymentPolicyParameters) {
  const assets = new Set(allowedAssets.map((a) => a.toLowerCase()));
  const payTos = new Set(allowedPayTo.map((a) => a.toLowerCase()));
  const offered = new Set(Object.values(schemes).flat());
  const assetAllowed = (asset: string) => assets.size === 0 || assets.has(asset.toLowerCase());
  const payToAllowed = (payTo: string) => payTos.size === 0 || payTos.has(payTo.toLowerCase());
  return (payload: PaymentPayload, requirements: PaymentRequirements): FacilitatorReason | undefined => {
    if (payload.x402Version !== 2) return FacilitatorReason.unsupported_x402_version;
    if (!offered.has(requirements.scheme)) return FacilitatorReason.unsupported_scheme;
    const onNetwork = schemes[requirements.network];
    if (!onNetwork) return FacilitatorReason.unsupported_network;
    if (!onNetwork.includes(requirements.scheme)) return FacilitatorReason.unsupported_scheme;
    if (payload.accepted.scheme !== requirements.scheme || payload.accepted.network !== requirements.network) {
      return FacilitatorReason.accepted_requirements_mismatch;
    }
    if (!assetAllowed(requirements.asset)) return FacilitatorReason.asset_not_allowed;
    if (!payToAllowed(requirements.payTo)) return FacilitatorReason.pay_to_not_allowed;
    if (requirements.scheme === "batch-settlement") {
      const { tokens, receivers } = batchParties(payload.payload as BatchSettlementPayload);
      if (!tokens.every(assetAllowed)) return FacilitatorReason.asset_not_allowed;
      if (!receivers.every(payToAllowed)) return FacilitatorReason.pay_to_not_allowed;
    }
    return undefined;
  };
}
export type PaymentPolicy = ReturnType<typeof createPaymentPolicy>;
