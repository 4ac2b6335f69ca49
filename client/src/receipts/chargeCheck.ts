// A channel lease's charge against what the receipt itself says it used. The node bills seconds (rounded up to
// the base unit) and bytes (rounded up to its block); a charge above both, at its advertised prices, is more
// than its own receipt supports.
import { dataCostOf, type NodeInfo, type UsageReceipt } from "@wg402/shared";
import { z } from "zod";

export const ChargeCheck = z.object({
  charged: z.string(),
  /** The most the receipt's own seconds and bytes cost at the node's prices. */
  most: z.string(),
  ok: z.boolean(),
});
export type ChargeCheck = z.infer<typeof ChargeCheck>;

/** The node's prices as a charge is checked against them. */
export type ChargePrices = Partial<Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute" | "data">>;

/**
 * Null for a lease paid by `exact` (its payments are the charge) or when the prices are unknown. A lease's
 * time is priced whatever its plan (a data lease's is free, so the bound is loose there, never wrong), with one
 * second more for the close itself.
 */
export function chargeCheck(receipt: UsageReceipt, prices: ChargePrices): ChargeCheck | null {
  if (!receipt.channel || prices.pricePerMinute === undefined || prices.secondsPerMinute === undefined) return null;
  const ms = BigInt(Math.max(0, Date.parse(receipt.endedAt) - Date.parse(receipt.startedAt)) + 1_000);
  const minuteMs = BigInt(prices.secondsPerMinute * 1_000);
  const time = (ms * BigInt(prices.pricePerMinute) + minuteMs - 1n) / minuteMs;
  const { data } = prices;
  const bytes = receipt.bytesUp + receipt.bytesDown;
  const moved = data ? dataCostOf(BigInt(data.pricePerMb), data.blockBytes, bytes) : 0n;
  const most = time + moved;
  const charged = BigInt(receipt.channel.charged);
  return { charged: charged.toString(), most: most.toString(), ok: charged <= most };
}
