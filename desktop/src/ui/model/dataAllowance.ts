// A data lease's allowance as the session panel shows it: what is left of the bytes bought (the node's count),
// and how fast it goes: the core's measured rate when it renews by data, else worked out here from the
// byte counts of successive snapshots.
import type { SessionDataView } from "../../api/views.ts";
import { formatBytes, formatDuration } from "./format.ts";

export const BYTES_PER_MB = 1_000_000;

export type DataNumbers = {
  /** 0..1 of the allowance still left, for a bar. */
  fraction: number;
  /** "12.3 MB of 50 MB left". */
  text: string;
  /** Bytes per second, or null before two readings. */
  rate: number | null;
  /** "1.2 MB/s · lasts about 40 s at this rate", or null without a rate. */
  rateText: string | null;
};

/** Megabytes to one decimal, rounded down: what is left is never overstated. "12.3 MB", "50 MB". */
export function formatMegabytes(bytes: number): string {
  const tenths = Math.floor(Math.max(0, bytes) / (BYTES_PER_MB / 10));
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} MB`;
}

export function dataNumbers(data: SessionDataView, measuredRate: number | null): DataNumbers {
  const left = Math.max(0, Math.min(data.bytesLeft, data.bytesAllowed));
  const rate = data.rate ?? measuredRate;
  const lasts = rate !== null && rate > 0 ? ` · lasts about ${formatDuration(left / rate)} at this rate` : "";
  return {
    fraction: data.bytesAllowed > 0 ? left / data.bytesAllowed : 0,
    text: `${formatMegabytes(left)} of ${formatMegabytes(data.bytesAllowed)} left`,
    rate,
    rateText: rate === null ? null : `${formatBytes(rate)}/s${lasts}`,
  };
}

/** One reading of the bytes a lease has used (up + down), at the time it arrived. */
export type ByteSample = { at: number; used: number };

/** Readings older than this leave the rate: it follows the traffic of the last few seconds. */
export const RATE_WINDOW_MS = 10_000;

/** The readings to keep after `next`: a count that went down (a new lease) starts over. */
export function addSample(samples: readonly ByteSample[], next: ByteSample, windowMs = RATE_WINDOW_MS): ByteSample[] {
  const last = samples[samples.length - 1];
  if (last && (next.used < last.used || next.at < last.at)) return [next];
  const kept = samples.filter((s) => next.at - s.at <= windowMs);
  // The oldest reading just outside the window keeps a slow snapshot cadence from leaving only one.
  const older = samples.filter((s) => next.at - s.at > windowMs).pop();
  return [...(older && kept.length === 0 ? [older] : []), ...kept, next];
}

/** Bytes per second over the readings kept; null before two readings a moment apart. */
export function rateFromSamples(samples: readonly ByteSample[]): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at - first.at <= 0) return null;
  return Math.max(0, ((last.used - first.used) * 1000) / (last.at - first.at));
}
