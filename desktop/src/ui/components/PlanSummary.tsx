import type { QuoteView, SettingsView } from "../../api/views.ts";
import { formatDuration, formatUnits, humanSentence, plural } from "../model/format.ts";
import { describePurchase } from "../model/purchase.ts";

/**
 * What pressing Connect commits the user to, before anything is paid: the price, the first payment, the
 * renewals, the spend cap (never silently "none") and what happens to unused time: not refunded with
 * `exact`; with a channel, the deposit, who pays gas, the fee and the refund rule, as the core states them.
 */
export function PlanSummary({ quote, settings }: { quote: QuoteView; settings: SettingsView }) {
  const { pricePerMinute: price, pricePerMb, total } = quote;
  const tokens = (amount: bigint) => `${formatUnits(amount.toString(), price.decimals)} ${price.symbol}`;
  const dataRenewal =
    pricePerMb && quote.megabytes > 0
      ? `${tokens(BigInt(pricePerMb.amount) * BigInt(quote.megabytes))} per ${quote.megabytes} MB, bought before the allowance runs out`
      : null;
  const timeRenewal =
    quote.minutes > 0
      ? `${tokens(BigInt(price.amount) * BigInt(settings.renewMinutes))} per ${plural(settings.renewMinutes, "minute")}, while the tunnel answers`
      : null;
  const defaultCap =
    quote.megabytes > 0
      ? "the default, ten times the first payment (or one hour at this node's price, if more)"
      : "the default, one hour at this node's price";
  const capText =
    quote.cap === null
      ? "No cap — your choice in Settings: renewals go on until the balance runs out"
      : quote.capSource === "default"
        ? `${quote.cap.formatted} — ${defaultCap}`
        : quote.cap.formatted;
  const unused = quote.megabytes > 0 ? (quote.minutes > 0 ? "time and data" : "data") : "time";
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs" data-testid="plan">
      <dt className="text-slate-500 dark:text-slate-400">Price</dt>
      <dd data-testid="plan-price">
        {price.formatted}/min{quote.secondsPerMinute !== 60 ? ` (a minute lasts ${quote.secondsPerMinute} s here)` : ""}
        {pricePerMb ? ` · ${pricePerMb.formatted}/MB` : ""}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">First payment</dt>
      <dd data-testid="plan-first-payment" data-amount={total.amount}>
        {total.formatted} for {describePurchase(quote)}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Renewals</dt>
      <dd data-testid="plan-renewals">
        {settings.autoRenew ? (
          <>
            {timeRenewal}
            {timeRenewal && dataRenewal ? "; " : ""}
            {dataRenewal && <span data-testid="plan-data-renewal">{dataRenewal}</span>}
          </>
        ) : (
          "off: the lease ends after the first purchase"
        )}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Spend cap</dt>
      <dd data-testid="plan-cap">{capText}</dd>
      {quote.scheme === "batch-settlement" ? (
        <ChannelTerms quote={quote} />
      ) : (
        <>
          <dt className="text-slate-500 dark:text-slate-400">Unused {unused}</dt>
          <dd data-testid="plan-refund">
            Not refunded: {quote.scheme} payments are final, so {unused} you paid for and do not use (disconnecting
            early) is spent.
          </dd>
        </>
      )}
    </dl>
  );
}

/** The escrow channel's terms: what is deposited now, what it costs to use, and how the rest comes back. */
function ChannelTerms({ quote }: { quote: QuoteView }) {
  const c = quote.channel;
  const label = "text-slate-500 dark:text-slate-400";
  return (
    <>
      <dt className={label}>Paid by</dt>
      <dd data-testid="plan-scheme">escrow channel (x402 batch-settlement), charged by the second</dd>
      {c ? (
        <>
          <dt className={label}>Deposit</dt>
          <dd data-testid="plan-deposit" data-amount={c.deposit.amount}>
            {BigInt(c.deposit.amount) > 0n
              ? `${c.deposit.formatted} now${c.minDeposit ? ` (the node's minimum is ${c.minDeposit.formatted})` : ""}`
              : `none: the channel already holds ${c.held.formatted}`}
          </dd>
          <dt className={label}>Gas</dt>
          <dd data-testid="plan-gas">
            paid by the {c.gasPaidBy}; its fee {c.facilitatorFee.formatted}; renewals send no transaction
          </dd>
          <dt className={label}>Refund</dt>
          <dd data-testid="plan-refund">
            {humanSentence(c.refundRule)}
            {c.withdrawDelaySeconds === null ? "" : ` The withdraw delay is ${formatDuration(c.withdrawDelaySeconds)}.`}
          </dd>
        </>
      ) : (
        <>
          <dt className={label}>Deposit</dt>
          <dd data-testid="plan-deposit">shown once your wallet is unlocked</dd>
        </>
      )}
    </>
  );
}
