import type { AmountView } from "../../api/views.ts";
import { formatDuration, plural } from "../model/format.ts";
import { balanceRunway } from "../model/lowBalance.ts";
import { useSelect } from "../storeContext.ts";

/**
 * Warns while there is still time to act: the balance covers fewer minutes (at this node's price) than the
 * user's warning level. Shown before connecting and while connected.
 */
export function LowBalanceBanner({ price, secondsPerMinute }: { price: AmountView | null; secondsPerMinute: number }) {
  const balances = useSelect((s) => s.balances);
  const settings = useSelect((s) => s.settings);
  if (!balances || !price || !settings || balances.token.symbol !== price.symbol) return null;
  const runway = balanceRunway({
    balance: balances.token.amount,
    pricePerMinute: price.amount,
    secondsPerMinute,
    thresholdMinutes: settings.lowBalanceMinutes,
  });
  if (runway.level === "ok") return null;
  const wallClock = secondsPerMinute === 60 ? "" : ` (about ${formatDuration(runway.secondsCovered)} on this node)`;
  return (
    <div
      role="alert"
      data-testid="low-balance-warning"
      className={`rounded-xl border p-3 text-sm ${
        runway.level === "empty"
          ? "border-rose-300 bg-rose-50 text-rose-950 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-100"
          : "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
      }`}
    >
      <p className="font-semibold">{runway.level === "empty" ? "Out of funds" : "Low balance"}</p>
      <p>
        {runway.level === "empty"
          ? `Your ${balances.token.formatted} does not pay for one more minute at ${price.formatted} per minute. Add funds to connect or keep the tunnel up.`
          : `Your ${balances.token.formatted} covers ${plural(runway.minutesCovered, "more minute")}${wallClock} at ${price.formatted} per minute, less than your warning level of ${settings.lowBalanceMinutes}. Add funds to keep the tunnel up.`}
      </p>
    </div>
  );
}
