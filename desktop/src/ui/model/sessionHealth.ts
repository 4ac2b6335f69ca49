// One word for the state of the connection, shared by the header and the Connect toggle, so neither says
// "Protected" while the tunnel is silent or about to be cut off by the spend cap.
import type { SessionView } from "../../api/views.ts";
import { formatClock } from "./format.ts";

export type SessionHealth = "off" | "connecting" | "connected" | "stalled" | "ending" | "paused" | "closing";

/**
 * Seconds until the spend cap ends the session, once that is within `warningMinutes`; null before that,
 * when the cap will not end it (no cap, no auto-renew), or when the warning is turned off (0).
 */
export function capCountdown(session: SessionView | null, now: number, warningMinutes: number): number | null {
  if (session?.phase !== "connected" || session.ended || session.capEndsAt === null) return null;
  if (warningMinutes <= 0) return null;
  const leftMs = session.capEndsAt - now;
  if (leftMs > warningMinutes * 60_000) return null;
  return Math.max(0, Math.ceil(leftMs / 1000));
}

export function sessionHealth(session: SessionView | null, now: number, warningMinutes: number): SessionHealth {
  if (!session) return "off";
  switch (session.phase) {
    case "closing":
      return "closing";
    case "connecting":
      return "connecting";
    case "ended":
      return "paused";
    case "connected":
      // Stalled first: a silent tunnel is the more urgent thing to know, and it pays nothing meanwhile.
      if (session.link?.state === "stalled") return "stalled";
      return capCountdown(session, now, warningMinutes) === null ? "connected" : "ending";
  }
}

/** The header's pill. */
export function healthLabel(health: SessionHealth, capSecondsLeft: number | null): string {
  switch (health) {
    case "off":
      return "Not connected";
    case "connecting":
      return "Connecting…";
    case "connected":
      return "Protected";
    case "stalled":
      return "Stalled";
    case "ending":
      return `Ends in ${formatClock(capSecondsLeft ?? 0)}`;
    case "paused":
      return "Paused";
    case "closing":
      return "Disconnecting…";
  }
}
