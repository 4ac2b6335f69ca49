import { BYTES_PER_MB, type Lease, type NodeInfo } from "@wg402/shared";
import type { PayRequest } from "../node/payForLease.ts";

/**
 * Bounds on what a channel renewal may authorize. The node sets each 402's amount so that the channel's new
 * ceiling covers the lease up to its new expiry; anything more would let it claim time it never served.
 */

/**
 * With the ceiling this client's last voucher on the lease signed: the new one may rise by the minutes bought,
 * plus one base unit of the node's rounding up.
 */
export function renewalCeilingLimit(p: {
  lastCeiling: bigint;
  pricePerMinute: bigint;
  minutes: number;
  pricePerMb?: bigint | null;
  megabytes?: number;
}): bigint {
  return p.lastCeiling + p.pricePerMinute * BigInt(p.minutes) + (p.pricePerMb ?? 0n) * BigInt(p.megabytes ?? 0) + 1n;
}

/**
 * Without it (another process paid last): the amount may not exceed the whole lease's time once renewed, from
 * its creation to its new expiry. An honest node asks at most that (the channel's charge already covers the
 * rest), whatever part of the granted time is still uncharged.
 */
export function renewalAllowance(p: {
  lease: Pick<Lease, "createdAt" | "expiresAt"> & Partial<Pick<Lease, "plan" | "bytesAllowed">>;
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute" | "data">;
  minutes: number;
  megabytes?: number;
}): bigint {
  const minuteMs = p.node.secondsPerMinute * 1000;
  const spanMs = Math.max(0, Date.parse(p.lease.expiresAt) - Date.parse(p.lease.createdAt)) + p.minutes * minuteMs;
  const time = p.lease.plan === "data" ? 0n : BigInt(p.node.pricePerMinute) * BigInt(Math.ceil(spanMs / minuteMs));
  // Data: the whole allowance once renewed, by the MB (a node charging by blocks never asks more).
  const megabytes = Math.ceil((p.lease.bytesAllowed ?? 0) / BYTES_PER_MB) + (p.megabytes ?? 0);
  const data = p.node.data ? BigInt(p.node.data.pricePerMb) * BigInt(megabytes) : 0n;
  return time + data + 1n;
}

/**
 * A channel renewal's bounds for the payment: by the client's last voucher on the lease when it has one (a
 * voucher's amount is below its ceiling, so the ceiling's limit bounds the amount too), else by the lease as
 * the node has it.
 */
export async function renewalBound(p: {
  lastCeiling: bigint | undefined;
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute" | "data">;
  minutes: number;
  megabytes?: number;
  lease: () => Promise<Pick<Lease, "createdAt" | "expiresAt"> & Partial<Pick<Lease, "plan" | "bytesAllowed">>>;
}): Promise<Pick<PayRequest<never>, "allowance" | "ceilingLimit">> {
  const { minutes, megabytes } = p;
  if (p.lastCeiling === undefined) {
    return { allowance: renewalAllowance({ lease: await p.lease(), node: p.node, minutes, megabytes }) };
  }
  const limit = renewalCeilingLimit({
    lastCeiling: p.lastCeiling,
    pricePerMinute: BigInt(p.node.pricePerMinute),
    minutes,
    pricePerMb: p.node.data ? BigInt(p.node.data.pricePerMb) : null,
    megabytes,
  });
  return { ceilingLimit: limit, allowance: limit };
}
