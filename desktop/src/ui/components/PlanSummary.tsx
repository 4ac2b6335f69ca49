import type { QuoteView, SettingsView } from "../../api/views.ts";
import { formatUnits, plural } from "../model/format.ts";

/**
 * What pressing Connect commits the user to, before anything is paid: the price, the first payment, the
 * renewals, the spend cap (never silently "none") and that prepaid time is not refunded.
 */
export function PlanSummary({ quote, settings }: { quote: QuoteView; settings: SettingsView }) {
  const { pricePerMinute: price, total } = quote;
  const renewal = BigInt(price.amount) * BigInt(settings.renewMinutes);
  const renewalText = `${formatUnits(renewal.toString(), price.decimals)} ${price.symbol}`;
  const capText =
    quote.cap === null
      ? "No cap — your choice in Settings: renewals go on until the balance runs out"
      : quote.capSource === "default"
        ? `${quote.cap.formatted} — the default, one hour at this node's price`
        : quote.cap.formatted;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs" data-testid="plan">
      <dt className="text-slate-500 dark:text-slate-400">Price</dt>
      <dd>
        {price.formatted}/min{quote.secondsPerMinute !== 60 ? ` (a minute lasts ${quote.secondsPerMinute} s here)` : ""}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">First payment</dt>
      <dd data-testid="plan-first-payment">
        {total.formatted} for {plural(quote.minutes, "minute")}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Renewals</dt>
      <dd>
        {settings.autoRenew
          ? `${renewalText} per ${plural(settings.renewMinutes, "minute")}, while the tunnel answers`
          : "off: the lease ends after the first purchase"}
      </dd>
      <dt className="text-slate-500 dark:text-slate-400">Spend cap</dt>
      <dd data-testid="plan-cap">{capText}</dd>
      <dt className="text-slate-500 dark:text-slate-400">Unused time</dt>
      <dd data-testid="plan-refund">
        Not refunded: {quote.scheme} payments are final, so time you paid for and do not use (disconnecting early) is
        spent.
      </dd>
    </dl>
  );
}
