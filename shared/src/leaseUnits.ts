import { z } from "zod";

/** A megabyte as the node sells it: 10^6 bytes, up and down together, counted at the node's interface. */
export const BYTES_PER_MB = 1_000_000;

/**
 * What a lease is limited by, fixed when it is bought: minutes (`time`), megabytes (`data`), or both
 * (`hybrid`: it ends at whichever runs out first).
 */
export const LeasePlan = z.enum(["time", "data", "hybrid"]);
export type LeasePlan = z.infer<typeof LeasePlan>;

/** What one purchase buys: minutes, megabytes, or both (0 for a unit not bought). */
export type LeaseUnits = { minutes: number; megabytes: number };

/** A node's prices in base units: per billed minute, and per MB (null: the node does not sell data). */
export type UnitPrices = { pricePerMinute: bigint; pricePerMb: bigint | null };

export function planOf(units: LeaseUnits): LeasePlan {
  if (units.megabytes > 0) return units.minutes > 0 ? "hybrid" : "data";
  return "time";
}

/** A data lease is not billed for its minutes: its time is only a validity. */
export const billsTime = (plan: LeasePlan) => plan !== "data";
export const billsData = (plan: LeasePlan) => plan !== "time";

/** The up-front price of a purchase. */
export function priceOf(prices: UnitPrices, units: LeaseUnits): bigint {
  return prices.pricePerMinute * BigInt(units.minutes) + (prices.pricePerMb ?? 0n) * BigInt(units.megabytes);
}

/** What `bytes` of data cost, counted in whole blocks of `blockBytes` and rounded up to the base unit. */
export function dataCostOf(pricePerMb: bigint, blockBytes: number, bytes: number): bigint {
  if (bytes <= 0) return 0n;
  const billed = BigInt(Math.ceil(bytes / blockBytes)) * BigInt(blockBytes);
  const mb = BigInt(BYTES_PER_MB);
  return (billed * pricePerMb + mb - 1n) / mb;
}

/** A readable statement of what a purchase buys, e.g. "10 minutes + 50 MB". */
export function describeUnits(units: LeaseUnits): string {
  const parts = [
    ...(units.minutes > 0 ? [`${units.minutes} minute${units.minutes === 1 ? "" : "s"}`] : []),
    ...(units.megabytes > 0 ? [`${units.megabytes} MB`] : []),
  ];
  return parts.join(" + ") || "nothing";
}
