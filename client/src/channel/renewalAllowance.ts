import type { Lease, NodeInfo } from "@wg402/shared";

/**
 * The most a channel renewal's 402 may ask: the minutes bought, plus the time already granted and not yet
 * charged (at most what is left of the lease), plus a minute for the node's rounding to the base unit. The
 * node sets the amount so that the new ceiling covers the new expiry; anything more would let it claim
 * time it never served.
 */
export function renewalAllowance(p: {
  lease: Pick<Lease, "expiresAt">;
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute">;
  minutes: number;
  now: number;
}): bigint {
  const leftMs = Math.max(0, Date.parse(p.lease.expiresAt) - p.now);
  const leftMinutes = Math.ceil(leftMs / 1000 / p.node.secondsPerMinute);
  return BigInt(p.node.pricePerMinute) * BigInt(p.minutes + leftMinutes + 1);
}
