import type { LeaseClient, SessionClosed, SessionFacts, SessionPlan, VpnSession } from "@wg402/client";
import type { Lease, LeasePayment } from "@wg402/shared";
import type { AmountView, SessionEndCause } from "../api/views.ts";
import { amountView } from "./amountView.ts";

/** One running session and what the UI shows about it beyond the core's `status()`. */
export type ActiveSession = {
  session: VpnSession;
  client: LeaseClient;
  facts: Omit<SessionFacts, "leaseId" | "endCause">;
  leaseId: string | null;
  minutes: number;
  /** Megabytes bought up front, and per data renewal; 0 for a time lease. */
  megabytes: number;
  autoRenew: boolean;
  renewMinutes: number;
  renewMegabytes: number;
  lease: Lease | null;
  startedAt: number | null;
  configPath: string | null;
  notes: string[];
  nextRenewalAt: number | null;
  ended: { cause: SessionEndCause; at: number } | null;
  closing: boolean;
  /** The core's account of the close: what prepaid time was left unused. */
  closed: SessionClosed | null;
  /** Every payment seen this session, in case the node cannot be asked for the final numbers. */
  payments: LeasePayment[];
  /** The core's plan, as its `plan` event said it before the first payment. */
  plan: SessionPlan | null;
  /** The channel's charge when the plan was made (the base of this lease's bill), read from its record. */
  chargedBefore: Promise<bigint> | null;
  /** Paying by channel, once the lease exists: what the escrow holds for it and the deposit that made it so. */
  channel: ActiveChannel | null;
  off: (() => void)[];
};

export type ActiveChannel = {
  channelId: `0x${string}`;
  /** The channel's balance above its charge at the lease's start: what this session can be charged or refunded. */
  deposit: bigint;
  depositMade: bigint | null;
  depositTxHash: string | null;
};

/** A session as it starts: nothing paid, nothing seen yet. */
export function activeSession(
  session: VpnSession,
  terms: { minutes: number; megabytes: number; autoRenew: boolean; renewMinutes: number; renewMegabytes: number },
): ActiveSession {
  const { client } = session;
  return {
    session,
    client,
    facts: {
      nodeUrl: client.nodeUrl,
      nodeName: client.node.name,
      region: client.node.region,
      network: client.paymentKind.network,
      token: { symbol: client.chain.token.symbol, decimals: client.chain.token.decimals },
    },
    leaseId: null,
    ...terms,
    lease: null,
    startedAt: null,
    configPath: null,
    notes: [],
    nextRenewalAt: null,
    ended: null,
    closing: false,
    closed: null,
    payments: [],
    plan: null,
    chargedBefore: null,
    channel: null,
    off: [],
  };
}

export function amountOf(active: ActiveSession, value: bigint): AmountView {
  return amountView(value, active.facts.token);
}

/**
 * The channel a lease just paid on: the plan's view of it before the payment plus the deposit the payment
 * made, less the charge it already had (an earlier lease's, not refunded yet), so never re-read from the chain.
 */
export async function channelOfLease(
  active: ActiveSession,
  payment: { deposit?: bigint | null; txHash: string | null; channelId?: `0x${string}` | null },
): Promise<ActiveChannel | null> {
  const terms = active.plan?.channel;
  if (!terms) return null;
  const before = (await active.chargedBefore) ?? terms.claimed;
  const made = payment.deposit ?? null;
  const held = terms.balance + (made ?? 0n) - before;
  return {
    channelId: payment.channelId ?? terms.channelId,
    deposit: held > 0n ? held : 0n,
    depositMade: made,
    depositTxHash: made ? payment.txHash : null,
  };
}

/** A payment as the node would list it, for when the node cannot be asked any more. */
export function paymentOf(
  active: ActiveSession,
  amount: bigint,
  units: { minutes: number; megabytes: number },
  txHash: string | null,
): LeasePayment {
  return {
    scheme: active.client.paymentKind.scheme,
    network: active.facts.network as LeasePayment["network"],
    payer: active.client.account.address,
    amount: amount.toString(),
    minutes: units.minutes,
    megabytes: units.megabytes,
    txHash,
    paidAt: new Date().toISOString(),
  };
}
