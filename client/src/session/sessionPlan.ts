// What a session commits the user to, said before the first payment: the price, the first payment, the
// spend cap (one always exists unless "no cap" was chosen) and what happens to prepaid time on an early close.
import { BYTES_PER_MB, type Lease, type NodeInfo, type UsageReceipt } from "@wg402/shared";
import { type ChannelTerms, channelTerms } from "../channel/channelTerms.ts";
import type { LeaseClient, Preflight } from "../node/leaseClient.ts";
import { assertMegabytesSold } from "../node/minuteBounds.ts";
import type { TunnelDriver, TunnelDriverKind } from "../tunnel/types.ts";
import { assertCapsCover } from "./capsCover.ts";

/** Where the session's spend cap came from: the user's figure, the default of one hour, or "no cap" chosen. */
export type CapSource = "explicit" | "default" | "none";

export type SessionPlan = Preflight & {
  nodeUrl: string;
  nodeName: string;
  driver: TunnelDriverKind;
  scheme: "exact" | "batch-settlement";
  pricePerMinute: bigint;
  /** Seconds in one billed minute on this node (60, except on test nodes). */
  secondsPerMinute: number;
  /** Minutes (and megabytes, from Preflight) bought now; `amount` (from Preflight) is the first payment. */
  minutes: number;
  autoRenew: boolean;
  /** Minutes and price of each renewal; null without auto-renew. */
  renewMinutes: number | null;
  renewalAmount: bigint | null;
  /** Base units per MB (null: the node sells time only), megabytes and price of each data renewal. */
  pricePerMb: bigint | null;
  renewMegabytes: number | null;
  dataRenewalAmount: bigint | null;
  /** The session's spend cap in base units; null only with `capSource: "none"`. */
  cap: bigint | null;
  capSource: CapSource;
  /** Billed minutes the cap pays for in all (first purchase included); null without a cap. */
  capMinutes: number | null;
  maxPerPayment: bigint | null;
  /**
   * `exact` payments are final transfers: minutes paid for and not used (an early disconnect, or a tunnel
   * that never handshakes) are not refunded. A channel charges the seconds used and refunds the rest.
   */
  refundsUnusedTime: boolean;
  /** Paying by channel: the deposit, who pays gas, the fee, the refund rule; null for `exact`. */
  channel: ChannelTerms | null;
  /** How long the session waits for the first WireGuard handshake before it closes the lease. */
  handshakeTimeoutMs: number;
};

/** One wall-clock hour of this node's price, in base units: the spend cap when the user sets none. */
export function oneHourOf(node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute">): bigint {
  const minutes = Math.ceil(3600 / node.secondsPerMinute);
  return BigInt(node.pricePerMinute) * BigInt(minutes);
}

/** Data purchases the default spend cap pays for: traffic has no clock to bound it by, so a count does. */
export const DEFAULT_CAP_DATA_PURCHASES = 10n;

/**
 * The default spend cap: one hour at the node's price, or the first purchase when that is longer (a cap
 * below it would refuse the very purchase asked for); with megabytes, ten times the first purchase.
 */
export function defaultSpendCap(
  node: Pick<NodeInfo, "pricePerMinute" | "secondsPerMinute" | "data">,
  minutes: number,
  megabytes = 0,
): bigint {
  const hour = oneHourOf(node);
  const perMb = node.data ? BigInt(node.data.pricePerMb) : 0n;
  const price = BigInt(node.pricePerMinute) * BigInt(minutes) + perMb * BigInt(megabytes);
  const first = megabytes > 0 ? price * DEFAULT_CAP_DATA_PURCHASES : price;
  return first > hour ? first : hour;
}

/** What a session's caller says about the session it plans. */
export type PlanInputs = {
  client: LeaseClient;
  driver: TunnelDriver;
  minutes: number;
  megabytes?: number;
  autoRenew: boolean;
  renewMinutes: number;
  renewMegabytes?: number;
  capSource: CapSource;
  handshakeTimeoutMs: number;
};

/**
 * Everything that could refuse the session, checked without paying: the tunnel driver (root, tools), the
 * minutes, the caps (one minute must fit) and the balance; then the plan itself.
 */
export async function planSession(p: PlanInputs): Promise<SessionPlan> {
  const { client } = p;
  await p.driver.precheck({ dns: client.node.dns, allowedIps: null });
  const megabytes = p.megabytes ?? 0;
  const renewMegabytes = p.renewMegabytes ?? megabytes;
  if (p.minutes > 0) assertCapsCover(client, p.minutes);
  if (p.autoRenew && p.minutes > 0 && p.renewMinutes !== p.minutes) client.assertMinutes(p.renewMinutes);
  if (p.autoRenew && renewMegabytes > 0 && renewMegabytes !== megabytes)
    assertMegabytesSold(client.node, renewMegabytes);
  const preflight = await client.preflight(p.minutes, megabytes);
  const channel = await channelTerms(client, p.minutes, megabytes);
  const cap = client.budget.cap;
  const perMinute = client.pricePerMinute;
  return {
    ...preflight,
    nodeUrl: client.nodeUrl,
    nodeName: client.node.name,
    driver: p.driver.kind,
    scheme: channel ? "batch-settlement" : "exact",
    pricePerMinute: perMinute,
    secondsPerMinute: client.node.secondsPerMinute,
    autoRenew: p.autoRenew,
    renewMinutes: p.autoRenew && p.minutes > 0 ? p.renewMinutes : null,
    renewalAmount: p.autoRenew && p.minutes > 0 ? client.priceFor(p.renewMinutes) : null,
    pricePerMb: client.pricePerMb,
    renewMegabytes: p.autoRenew && renewMegabytes > 0 ? renewMegabytes : null,
    dataRenewalAmount: p.autoRenew && renewMegabytes > 0 ? client.priceFor(0, renewMegabytes) : null,
    cap,
    capSource: p.capSource,
    capMinutes: cap === null || perMinute === 0n ? null : Number(cap / perMinute),
    maxPerPayment: client.maxPerPayment,
    refundsUnusedTime: channel !== null,
    channel,
    handshakeTimeoutMs: p.handshakeTimeoutMs,
  };
}

/**
 * Prepaid time and data a closed lease still had, and their value at the node's prices: what an early close
 * forfeits. A data lease's time is only a validity, so none of it counts; a time lease has no data.
 */
export function unusedOf(
  receipt: UsageReceipt | null,
  expiresAt: number | null,
  client: Pick<LeaseClient, "pricePerMinute" | "pricePerMb" | "node">,
  lease: Partial<Pick<Lease, "plan" | "bytesAllowed">> = {},
): { unusedSeconds: number; unusedBytes: number; unusedAmount: bigint } {
  if (!receipt || expiresAt === null) return { unusedSeconds: 0, unusedBytes: 0, unusedAmount: 0n };
  const plan = lease.plan ?? "time";
  const unusedMs = plan === "data" ? 0 : Math.max(0, expiresAt - Date.parse(receipt.endedAt));
  const minuteMs = client.node.secondsPerMinute * 1000;
  const allowed = plan === "time" ? 0 : (lease.bytesAllowed ?? 0);
  const unusedBytes = Math.max(0, allowed - receipt.bytesUp - receipt.bytesDown);
  const dataAmount = ((client.pricePerMb ?? 0n) * BigInt(unusedBytes)) / BigInt(BYTES_PER_MB);
  return {
    unusedSeconds: Math.floor(unusedMs / 1000),
    unusedBytes,
    unusedAmount: (client.pricePerMinute * BigInt(unusedMs)) / BigInt(minuteMs) + dataAmount,
  };
}
