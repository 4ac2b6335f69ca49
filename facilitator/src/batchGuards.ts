import { x402BatchSettlementAbi } from "@wg402/shared";
import type { PaymentRequirements } from "@x402/core/types";
import { BATCH_SETTLEMENT_ADDRESS } from "@x402/evm";
import { getAddress, type Hex } from "viem";
import { channelIdOf } from "./batchIdentity.ts";
import type {
  BatchSettlementPayload,
  ChannelConfig,
  ClaimPayload,
  RefundPayload,
  VoucherClaim,
} from "./batchPayload.ts";
import { BatchFacilitatorReason, SdkBatchReason } from "./batchReasons.ts";
import type { NetworkBackend } from "./chainLookups.ts";

// What wg402 refuses before the SDK's scheme sees a batch-settlement settle, beyond the policy gate: requests whose
// channels are not the requirements' own, refunds nobody vouched for, and claims that would pay gas for nothing.

/** Who asked: whether the request carried one of the operator's API keys (app.ts). */
export type SettleContext = { authenticated: boolean };

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * How a settle-side payload's channels differ from the requirements it came with, named as the SDK names it. The
 * SDK binds a deposit's channel to the requirements itself, but not a claim's, a refund's or a settle's.
 */
export function bindingProblem(payload: BatchSettlementPayload, requirements: PaymentRequirements): string | undefined {
  const channelProblem = (channel: ChannelConfig) => {
    if (!sameAddress(channel.receiver, requirements.payTo)) return SdkBatchReason.receiver_mismatch;
    if (!sameAddress(channel.token, requirements.asset)) return SdkBatchReason.token_mismatch;
    return undefined;
  };
  const rowsProblem = (claims: VoucherClaim[]) =>
    claims.map((claim) => channelProblem(claim.voucher.channel)).find(Boolean);
  switch (payload.type) {
    case "claim":
      return rowsProblem(payload.claims);
    case "refund":
      if (channelIdOf(payload.channelConfig, requirements.network) !== payload.voucher.channelId.toLowerCase()) {
        return SdkBatchReason.channel_id_mismatch;
      }
      return channelProblem(payload.channelConfig) ?? rowsProblem(payload.claims ?? []);
    case "settle":
      if (!sameAddress(payload.receiver, requirements.payTo)) return SdkBatchReason.receiver_mismatch;
      if (!sameAddress(payload.token, requirements.asset)) return SdkBatchReason.token_mismatch;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A refund hands the payer back escrow the receiver may still have vouchers for, so the facilitator only relays one
 * that is authenticated: signed by the channel's receiver authorizer (the contract checks that signature; the SDK
 * simulates the call before anything is sent), or — when the facilitator would sign it with its own authorizer key —
 * asked for on an API key. An open facilitator signs no refunds: the payer's timed withdrawal is always there.
 */
export function refundAuthenticationProblem(payload: RefundPayload, context: SettleContext): string | undefined {
  if (payload.refundAuthorizerSignature !== undefined) return undefined;
  return context.authenticated ? undefined : BatchFacilitatorReason.refund_not_authenticated;
}

/**
 * The escrow skips a claim row at or below the channel's `totalClaimed`, so a batch of stale rows (vouchers copied
 * from old claim calldata, say) would succeed on-chain and change nothing: gas for nothing, as often as anyone
 * likes. A batch is only relayed when at least one row raises its channel's total.
 */
export async function claimRaisesNothing(
  backend: NetworkBackend,
  payload: ClaimPayload,
  network: string,
): Promise<boolean> {
  const highest = new Map<Hex, bigint>();
  for (const claim of payload.claims) {
    const channelId = channelIdOf(claim.voucher.channel, network);
    const total = BigInt(claim.totalClaimed);
    if (total > (highest.get(channelId) ?? 0n)) highest.set(channelId, total);
  }
  for (const [channelId, total] of highest) {
    const [, totalClaimed] = (await backend.publicClient.readContract({
      address: getAddress(BATCH_SETTLEMENT_ADDRESS),
      abi: x402BatchSettlementAbi,
      functionName: "channels",
      args: [channelId],
    })) as readonly [bigint, bigint];
    if (total > totalClaimed) return false;
  }
  return true;
}
