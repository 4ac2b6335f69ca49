import type { Lease, NodeInfo } from "@wg402/shared";

/**
 * Bounds on what a channel renewal may authorize. The node sets each 402's amount so that the channel's new
 * ceiling covers the lease up to its new expiry; anything more would let it claim time it never served.
 */

/**
 * With the ceiling this client's last voucher on the lease signed: the new one may rise by the minutes bought,
 * plus one base unit of the node's rounding up.
 */
export function renewalCeilingLimit(p: { lastCeiling: bigint; pricePerMinute: bigint; minutes: number }): bigint {
  return p.lastCeiling + p.pricePerMinute * BigInt(p.minutes) + 1n;
}

/**
 * Without it (another process paid last): the amount may not exceed the whole lease's time once renewed, from
 * its creation to its new expiry. An honest node asks at most that (the channel's charge already covers the
 * rest), whatever part of the granted time is still uncharged.
 */
export function renewalAllowance(p: {
  lease: Pick<Lease, "createdAt" | "expiresAt">;
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute">;
  minutes: number;
}): bigint {
  const minuteMs = p.node.secondsPerMinute * 1000;
  const spanMs = Math.max(0, Date.parse(p.lease.expiresAt) - Date.parse(p.lease.createdAt)) + p.minutes * minuteMs;
  return BigInt(p.node.pricePerMinute) * BigInt(Math.ceil(spanMs / minuteMs)) + 1n;
}
