// Whether a tunnel really carries traffic, from WireGuard's own evidence: its latest handshake and the bytes
// received from the node. A paid lease and an interface that is up prove nothing (UDP may be blocked, the
// route to the node wrong); a handshake does. Pure: readings and times go in, a verdict comes out.
import type { LinkEvidence, PeerReading } from "../tunnel/types.ts";

/** connecting: no handshake yet; connected: fresh evidence; stalled: it went quiet. */
export type LinkState = "connecting" | "connected" | "stalled";

export type LinkStatus = {
  state: LinkState;
  /** The client's own device, or (export) the node's view of the lease. */
  evidence: LinkEvidence;
  /** ms since the epoch; null before the first handshake. */
  lastHandshakeAt: number | null;
  /** ms since the last handshake; null before the first. */
  handshakeAgeMs: number | null;
  /** When the received byte count last grew (ms since the epoch). */
  lastReceivedAt: number | null;
  /** Bytes received (device: from the node; node's view: what the node received from this client). */
  rxBytes: number;
  txBytes: number;
  /** How quiet the tunnel may be before it counts as stalled. */
  staleAfterMs: number;
};

/** WireGuard re-handshakes every 2 minutes while packets flow (keepalives included): 3 minutes is stale. */
export const DEFAULT_STALE_AFTER_MS = 180_000;

export class LinkMonitor {
  readonly evidence: LinkEvidence;
  readonly staleAfterMs: number;
  private reading: PeerReading | null = null;
  private lastReceivedAt: number | null = null;
  private stateValue: LinkState = "connecting";

  constructor(options: { evidence: LinkEvidence; staleAfterMs?: number }) {
    this.evidence = options.evidence;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** A handshake happened, or the node sent something: the tunnel has worked at least once. */
  get established(): boolean {
    return this.reading !== null && (this.reading.lastHandshakeAt !== null || this.reading.rxBytes > 0);
  }

  /** Takes a reading made at `now`; null (no peer, no device answer) leaves the evidence as it was. */
  sample(reading: PeerReading | null, now: number): void {
    if (!reading) return;
    // A counter that grew, or the first non-zero one, is traffic from the other side.
    if (reading.rxBytes > (this.reading?.rxBytes ?? 0)) this.lastReceivedAt = now;
    // A counter that dropped is a re-created peer: start counting from it.
    this.reading = reading;
  }

  /** Fresh: a handshake within `staleAfterMs`, or bytes received within it. */
  fresh(now: number): boolean {
    const handshake = this.reading?.lastHandshakeAt ?? null;
    const recent = (at: number | null) => at !== null && now - at <= this.staleAfterMs;
    return recent(handshake) || recent(this.lastReceivedAt);
  }

  /** Moves connecting → connected once established, connected ↔ stalled by freshness; returns the state. */
  evaluate(now: number): LinkState {
    if (this.stateValue === "connecting") {
      if (this.established) this.stateValue = "connected";
      return this.stateValue;
    }
    this.stateValue = this.fresh(now) ? "connected" : "stalled";
    return this.stateValue;
  }

  status(now: number): LinkStatus {
    const lastHandshakeAt = this.reading?.lastHandshakeAt ?? null;
    return {
      state: this.stateValue,
      evidence: this.evidence,
      lastHandshakeAt,
      handshakeAgeMs: lastHandshakeAt === null ? null : Math.max(0, now - lastHandshakeAt),
      lastReceivedAt: this.lastReceivedAt,
      rxBytes: this.reading?.rxBytes ?? 0,
      txBytes: this.reading?.txBytes ?? 0,
      staleAfterMs: this.staleAfterMs,
    };
  }
}

/** The node's view of a lease as evidence: the node's handshake time, and what it received from us. */
export function readingFromNode(usage: {
  lastHandshakeAt: string | null;
  bytesUp: number;
  bytesDown: number;
}): PeerReading {
  return {
    lastHandshakeAt: usage.lastHandshakeAt === null ? null : Date.parse(usage.lastHandshakeAt),
    rxBytes: usage.bytesUp,
    txBytes: usage.bytesDown,
  };
}
