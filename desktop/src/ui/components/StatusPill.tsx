import type { SessionHealth } from "../model/sessionHealth.ts";
import { healthLabel } from "../model/sessionHealth.ts";

const looks: Record<SessionHealth, string> = {
  off: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  connecting: "bg-indigo-100 text-indigo-900 dark:bg-indigo-900 dark:text-indigo-100",
  connected: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200",
  stalled: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  ending: "bg-amber-200 text-amber-950 dark:bg-amber-800 dark:text-amber-50",
  paused: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  closing: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
};

/** The header's one-word state: "Protected" only while the tunnel is connected and nothing is about to end it. */
export function StatusPill({ health, capSecondsLeft }: { health: SessionHealth; capSecondsLeft: number | null }) {
  return (
    <span
      data-testid="status-pill"
      data-health={health}
      className={`rounded-full px-2 py-0.5 text-xs font-semibold tabular-nums ${looks[health]}`}
    >
      {healthLabel(health, capSecondsLeft)}
    </span>
  );
}
