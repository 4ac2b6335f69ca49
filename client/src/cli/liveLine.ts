import { formatUnits } from "viem";
import type { SessionStatus } from "../session/sessionTypes.ts";

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, "0");
  return h > 0 ? `${h}h${mm}m${String(rest).padStart(2, "0")}s` : `${mm}m${String(rest).padStart(2, "0")}s`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "12m04s left · spent 0.004 of 0.01 tUSD · 0.001 tUSD/min · ↑1.2 KB ↓3.4 MB · renewed 3× · handshake 0m42s ago" */
export function formatStatusLine(status: SessionStatus): string {
  const { token, spend } = status;
  const amount = (value: bigint) => formatUnits(value, token.decimals);
  const spent =
    spend.cap === null
      ? `${amount(spend.settled)} ${token.symbol}`
      : `${amount(spend.settled)} of ${amount(spend.cap)} ${token.symbol}`;
  const { link } = status;
  const age = link?.handshakeAgeMs ?? null;
  const parts = [
    status.blocked
      ? "BLOCKED (lease ended)"
      : status.phase === "stalled"
        ? `STALLED (${age === null ? "no handshake" : `last handshake ${formatDuration(age / 1000)} ago`}, not renewing) · ${formatDuration(status.secondsLeft)} left`
        : `${formatDuration(status.secondsLeft)} left`,
    `spent ${spent}`,
    `${amount(status.pricePerMinute)} ${token.symbol}/min`,
    `↑${formatBytes(status.bytesUp)} ↓${formatBytes(status.bytesDown)}`,
  ];
  // A data lease: what is left of its allowance (the node's count), and the rate the data renewer sees.
  if (status.bytesLeft !== null && status.bytesAllowed !== null) {
    parts.splice(1, 0, `${formatBytes(status.bytesLeft)} of ${formatBytes(status.bytesAllowed)} left`);
  }
  if (status.dataRate !== null && status.dataRate > 0) parts.push(`${formatBytes(status.dataRate)}/s`);
  if (status.renewals > 0) parts.push(`renewed ${status.renewals}×`);
  if (status.phase === "connected" && age !== null) parts.push(`handshake ${formatDuration(age / 1000)} ago`);
  return parts.join(" · ");
}
