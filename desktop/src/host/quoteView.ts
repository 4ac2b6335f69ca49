import {
  choosePaymentKind,
  type Env,
  type FetchLike,
  fetchNodeInfo,
  fetchQuote,
  normalizeNodeUrl,
} from "@wg402/client";
import { planOf } from "@wg402/shared";
import type { LocalAccount } from "viem";
import type { QuoteView, SettingsView } from "../api/views.ts";
import { amountView } from "./amountView.ts";
import { channelTermsView, quotePayment } from "./channelQuote.ts";
import { plannedCap } from "./sessionCap.ts";

/**
 * The node's price for `minutes` and `megabytes` (0 for a unit not bought) and the session's terms with the current settings: the cap, and how it is
 * paid (for a channel, the core's terms: deposit, gas payer, fee, refund rule). Nothing is paid.
 */
export async function quoteView(p: {
  url: string;
  minutes: number;
  megabytes: number;
  spendCap: SettingsView["spendCap"];
  account: LocalAccount | null;
  env: Env;
  fetch?: FetchLike;
}): Promise<QuoteView> {
  const nodeUrl = normalizeNodeUrl(p.url);
  const options = p.fetch ? { fetch: p.fetch } : {};
  const [{ quote }, node] = await Promise.all([
    fetchQuote(nodeUrl, { minutes: p.minutes, megabytes: p.megabytes }, options),
    fetchNodeInfo(nodeUrl, options),
  ]);
  const kind = choosePaymentKind(node);
  const { cap, capSource } = plannedCap(p.spendCap, node, quote.minutes, kind.decimals, quote.megabytes);
  const payment = await quotePayment({
    nodeUrl,
    node,
    minutes: quote.minutes,
    cap,
    account: p.account,
    env: p.env,
    ...options,
  });
  const { token } = payment;
  return {
    nodeUrl,
    minutes: quote.minutes,
    megabytes: quote.megabytes,
    plan: planOf(quote),
    total: amountView(BigInt(quote.total), token),
    pricePerMinute: amountView(BigInt(node.pricePerMinute), token),
    pricePerMb: node.data ? amountView(BigInt(node.data.pricePerMb), token) : null,
    secondsPerMinute: node.secondsPerMinute,
    cap: cap === null ? null : amountView(cap, token),
    capSource,
    scheme: payment.scheme,
    refundsUnusedTime: payment.scheme === "batch-settlement",
    channel: payment.channel ? channelTermsView(payment.channel, token) : null,
  };
}
