// The connected screen's numbers at a given instant: the host sends a snapshot every few seconds and the
// window ticks every second in between.
import type { SessionView } from "../../api/views.ts";

export type LiveNumbers = {
  /** Since the lease started. */
  elapsedSeconds: number;
  /** On the current lease. */
  secondsLeft: number;
  /** Until the next renewal, or null when none is scheduled. */
  nextRenewalInSeconds: number | null;
  /** 0..1 of the current lease still left, for a progress bar. */
  leaseFraction: number;
};

export function liveNumbers(session: SessionView, now: number): LiveNumbers {
  const end = session.ended?.at ?? now;
  const elapsed = session.startedAt === null ? 0 : Math.max(0, Math.min(now, end) - session.startedAt) / 1000;
  const left = session.expiresAt === null ? 0 : Math.max(0, session.expiresAt - now) / 1000;
  const next =
    session.nextRenewalAt === null || session.ended ? null : Math.max(0, (session.nextRenewalAt - now) / 1000);
  // Against the longest purchase of this session; a renewal's overlap can pass it, hence the clamp.
  const unit = Math.max(1, Math.max(session.minutes, session.renewMinutes) * session.secondsPerMinute);
  return {
    elapsedSeconds: Math.floor(elapsed),
    secondsLeft: Math.floor(left),
    nextRenewalInSeconds: next === null ? null : Math.floor(next),
    leaseFraction: Math.min(1, left / unit),
  };
}
