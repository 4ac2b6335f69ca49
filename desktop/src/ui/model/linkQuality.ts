// How well the tunnel is doing, from the core's WireGuard evidence: how long since the last handshake and
// since the node last sent anything. WireGuard re-handshakes every 2 minutes only while packets flow, and
// keepalives (25 s) keep bytes coming on an idle tunnel, so silence is the better signal than handshake age.
import type { LinkView } from "../../api/views.ts";

export type LinkQuality = {
  level: "waiting" | "good" | "fair" | "poor" | "stalled";
  label: string;
  /** Seconds since the last handshake, null before the first. */
  handshakeAgeSeconds: number | null;
};

/** Quiet for longer than a keepalive and a lost packet or two: not yet stalled, but not good. */
const GOOD_QUIET_MS = 45_000;

export function linkQuality(link: LinkView, now: number): LinkQuality {
  const handshakeAgeSeconds =
    link.lastHandshakeAt === null ? null : Math.max(0, Math.floor((now - link.lastHandshakeAt) / 1000));
  if (link.state === "connecting")
    return { level: "waiting", label: "Waiting for the first handshake", handshakeAgeSeconds };
  if (link.state === "stalled") return { level: "stalled", label: "Stalled", handshakeAgeSeconds };
  const heard = Math.max(link.lastHandshakeAt ?? 0, link.lastReceivedAt ?? 0);
  const quietMs = heard === 0 ? Number.POSITIVE_INFINITY : now - heard;
  if (quietMs <= GOOD_QUIET_MS) return { level: "good", label: "Good", handshakeAgeSeconds };
  if (quietMs <= link.staleAfterMs / 2) return { level: "fair", label: "Fair", handshakeAgeSeconds };
  return { level: "poor", label: "Poor", handshakeAgeSeconds };
}
