import type { SessionView } from "../../api/views.ts";
import { amountText, channelNumbers } from "../model/channelCharge.ts";
import { Stat } from "./primitives.tsx";

/**
 * A channel session's money, ticking with `now`: the deposit, what the node has charged so far (by the
 * second, never above the ceiling), and what the deposit still holds, which comes back at disconnect.
 */
export function ChannelMeter({ session, now }: { session: SessionView; now: number }) {
  const numbers = channelNumbers(session, now);
  const channel = session.channel;
  if (!numbers || !channel) {
    return (
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400" data-testid="channel-meter">
        Paid by escrow channel: the deposit is being made.
      </p>
    );
  }
  const like = session.pricePerMinute;
  return (
    <div className="mb-3" data-testid="channel-meter">
      <dl className="grid grid-cols-3 gap-2">
        <Stat
          label="Deposit"
          value={<span data-amount={numbers.deposit.toString()}>{channel.deposit.formatted}</span>}
          testId="channel-deposit"
        />
        <Stat
          label="Charged so far"
          value={<span data-amount={numbers.charged.toString()}>{amountText(numbers.charged, like)}</span>}
          testId="channel-charged"
        />
        <Stat
          label="Deposit left"
          value={<span data-amount={numbers.depositLeft.toString()}>{amountText(numbers.depositLeft, like)}</span>}
          testId="channel-left"
        />
      </dl>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" data-testid="channel-refund-estimate">
        Disconnecting now refunds about {amountText(numbers.depositLeft, like)}: the seconds used are charged, the rest
        of the deposit comes back in one transaction, its gas paid by the facilitator.
      </p>
    </div>
  );
}
