import type { Lease, NodeInfo } from "@wg402/shared";
import type { PayRequest } from "../node/payForLease.ts";

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

/**
 * A channel renewal's bounds for the payment: by the client's last voucher on the lease when it has one (a
 * voucher's amount is below its ceiling, so the ceiling's limit bounds the amount too), else by the lease as
 * the node has it.
 */
export async function renewalBound(p: {
  lastCeiling: bigint | undefined;
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute">;
  minutes: number;
  lease: () => Promise<Pick<Lease, "createdAt" | "expiresAt">>;
}): Promise<Pick<PayRequest<never>, "allowance" | "ceilingLimit">> {
  if (p.lastCeiling === undefined) {
    return { allowance: renewalAllowance({ lease: await p.lease(), node: p.node, minutes: p.minutes }) };
  }
  const limit = renewalCeilingLimit({
    lastCeiling: p.lastCeiling,
    pricePerMinute: BigInt(p.node.pricePerMinute),
    minutes: p.minutes,
  });
  return { ceilingLimit: limit, allowance: limit };
}
