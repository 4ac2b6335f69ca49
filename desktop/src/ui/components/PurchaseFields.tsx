import type { WireError } from "@wg402/shared";
import type { LeasePlanView, QuoteView, ReachableNodeView } from "../../api/views.ts";
import { describePurchase, type Purchase } from "../model/purchase.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";
import { TextField } from "./primitives.tsx";

const plans: { id: LeasePlanView; label: string; hint: string }[] = [
  { id: "time", label: "Time", hint: "Minutes, whatever you send" },
  { id: "data", label: "Data", hint: "Megabytes, however long it takes" },
  { id: "hybrid", label: "Time + data", hint: "Both: ends at whichever runs out first" },
];

/**
 * What Connect buys: minutes as always, and on a node that sells data the choice of a data or hybrid plan with
 * its megabytes (1 MB = 10^6 bytes up and down, as the node counts them), each priced beside the other.
 */
export function PurchaseFields(p: {
  node: ReachableNodeView | null;
  purchase: Purchase;
  onPlan: (plan: LeasePlanView) => void;
  minutesText: string;
  onMinutes: (text: string) => void;
  megabytesText: string;
  onMegabytes: (text: string) => void;
  /** The node's quote for exactly this purchase, or null while it is asked. */
  quote: QuoteView | null;
  quoteError: WireError | null;
}) {
  const { node, purchase, quote } = p;
  const data = node?.data ?? null;
  const asks = quote && node ? `${node.name} asks ${quote.total.formatted} for ${describePurchase(quote)}.` : undefined;
  const error = p.quoteError ? <ErrorNotice error={p.quoteError} context="The node's quote" /> : undefined;
  const lastField = purchase.plan === "time" ? "minutes" : "megabytes";
  return (
    <>
      {data && (
        <fieldset className="flex flex-col gap-2" data-testid="plan-choice">
          <legend className="mb-1 text-sm font-medium">What to buy</legend>
          <div className="grid grid-cols-3 gap-2">
            {plans.map((o) => (
              <label
                key={o.id}
                className="flex items-start gap-2 rounded-lg border border-slate-200 p-2 text-sm dark:border-slate-800"
              >
                <input
                  type="radio"
                  name="purchase-plan"
                  value={o.id}
                  className="mt-1 accent-indigo-600"
                  checked={purchase.plan === o.id}
                  onChange={() => p.onPlan(o.id)}
                />
                <span>
                  <span className="font-semibold">{o.label}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{o.hint}</span>
                </span>
              </label>
            ))}
          </div>
          <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="node-prices">
            {node?.pricePerMinute.formatted}/min · {data.pricePerMb.formatted}/MB (1 MB = 1,000,000 bytes up and down,
            counted by the node)
          </p>
        </fieldset>
      )}
      {purchase.plan !== "data" && (
        <TextField
          label="Minutes to buy now"
          type="number"
          inputMode="numeric"
          min={node?.minMinutes ?? 1}
          max={node?.maxMinutes}
          value={p.minutesText}
          onChange={(e) => p.onMinutes(e.target.value)}
          hint={lastField === "minutes" ? asks : undefined}
          error={lastField === "minutes" ? error : undefined}
        />
      )}
      {data && purchase.plan !== "time" && (
        <TextField
          label="Megabytes to buy now"
          type="number"
          inputMode="numeric"
          min={data.minMegabytes}
          max={data.maxMegabytes}
          suffix="MB"
          value={p.megabytesText}
          onChange={(e) => p.onMegabytes(e.target.value)}
          hint={
            asks ??
            `${data.pricePerMb.formatted} per MB; between ${data.minMegabytes} and ${data.maxMegabytes} MB per purchase.`
          }
          error={error}
        />
      )}
    </>
  );
}
