import type { LeaseClient, SessionClosed, SessionFacts, VpnSession } from "@wg402/client";
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
  autoRenew: boolean;
  renewMinutes: number;
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
  off: (() => void)[];
};

/** A session as it starts: nothing paid, nothing seen yet. */
export function activeSession(
  session: VpnSession,
  terms: { minutes: number; autoRenew: boolean; renewMinutes: number },
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
    off: [],
  };
}

export function amountOf(active: ActiveSession, value: bigint): AmountView {
  return amountView(value, active.facts.token);
}

/** A payment as the node would list it, for when the node cannot be asked any more. */
export function paymentOf(active: ActiveSession, amount: bigint, minutes: number, txHash: string | null): LeasePayment {
  return {
    scheme: "exact",
    network: active.facts.network as LeasePayment["network"],
    payer: active.client.account.address,
    amount: amount.toString(),
    minutes,
    txHash,
    paidAt: new Date().toISOString(),
  };
}
