import type { SessionView } from "../../api/views.ts";
import { formatClock } from "../model/format.ts";

/**
 * From the settings' warning time before the spend cap ends the session: a ticking countdown, so the tunnel
 * does not just stop. The cap is fixed for the session; raising it applies from the next connection.
 */
export function CapCountdownBanner({ session, secondsLeft }: { session: SessionView; secondsLeft: number }) {
  return (
    <div
      role="alert"
      data-testid="cap-countdown"
      className="rounded-xl border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <p className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-semibold">The spend cap ends this session</span>
        <time className="text-2xl font-bold tabular-nums" data-testid="cap-countdown-time">
          {formatClock(secondsLeft)}
        </time>
      </p>
      <p>
        {session.cap ? `Its cap of ${session.cap.formatted} is spent` : "The cap is spent"} once the current lease runs
        out; nothing more is paid. Raise the cap in Settings for your next connection, or disconnect now.
      </p>
    </div>
  );
}
