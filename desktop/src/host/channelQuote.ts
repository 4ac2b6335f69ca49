import {
  type ChannelRefund,
  type ChannelTerms,
  channelTerms,
  choosePaymentKind,
  type Env,
  type FetchLike,
  isChannelKind,
  openLeaseClient,
} from "@wg402/client";
import type { NodeInfo } from "@wg402/shared";
import type { LocalAccount } from "viem";
import type { ChannelRefundView, ChannelTermsView, PaymentScheme } from "../api/channelViews.ts";
import { amountView, type TokenUnits } from "./amountView.ts";
import { toWireError } from "./toWireError.ts";

/** The core's channel terms for a UI: amounts formatted, nothing re-derived. */
export function channelTermsView(terms: ChannelTerms, token: TokenUnits): ChannelTermsView {
  const held = terms.balance > terms.claimed ? terms.balance - terms.claimed : 0n;
  return {
    channelId: terms.channelId,
    deposit: amountView(terms.deposit, token),
    held: amountView(held, token),
    minDeposit: terms.minDeposit === null ? null : amountView(terms.minDeposit, token),
    gasPaidBy: terms.gasPaidBy,
    facilitatorFee: amountView(terms.facilitatorFee, token),
    withdrawDelaySeconds: terms.withdrawDelaySeconds,
    refundRule: terms.refundRule,
  };
}

/** `charged`: the node receipt's charge for the lease when it states one (else what the refund found charged). */
export function refundView(
  refund: ChannelRefund,
  token: TokenUnits,
  txUrl: (hash: string | null) => string | null,
  charged: string | null = null,
): ChannelRefundView {
  if (!refund.ok) return { ok: false, error: toWireError(refund.error) };
  return {
    ok: true,
    channelId: refund.channelId,
    charged: amountView(charged === null ? refund.charged : BigInt(charged), token),
    refunded: amountView(refund.refunded, token),
    txHash: refund.txHash,
    txUrl: txUrl(refund.txHash),
  };
}

/**
 * How a session on `node` would pay, as the core decides it (the channel when the node offers one), and for a
 * channel the core's own terms: the channel this wallet would use, what it holds, the deposit this session
 * would make against the cap. The terms need the payer's address, so a locked wallet gets the scheme alone.
 * Signs nothing.
 */
export async function quotePayment(p: {
  nodeUrl: string;
  node: NodeInfo;
  minutes: number;
  cap: bigint | null;
  account: LocalAccount | null;
  env: Env;
  fetch?: FetchLike;
}): Promise<{ scheme: PaymentScheme; channel: ChannelTerms | null; token: TokenUnits }> {
  const kind = choosePaymentKind(p.node);
  const token = { symbol: kind.symbol, decimals: kind.decimals };
  if (!isChannelKind(kind)) return { scheme: "exact", channel: null, token };
  if (!p.account) return { scheme: "batch-settlement", channel: null, token };
  const account = p.account;
  const client = await openLeaseClient({
    nodeUrl: p.nodeUrl,
    node: p.node,
    account: () => account,
    sessionCap: p.cap,
    env: p.env,
    ...(p.fetch ? { fetch: p.fetch } : {}),
  });
  return { scheme: "batch-settlement", channel: await channelTerms(client, p.minutes), token };
}
