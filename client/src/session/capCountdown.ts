// When the spend cap will end a renewing session, and one warning a configurable time before it, so a UI
// can count down instead of the tunnel just stopping.
import type { Clock, TimerHandle } from "@wg402/shared/runtime";

export type CapEndInputs = {
  autoRenew: boolean;
  cap: bigint | null;
  /** Signed for so far, the first purchase included. */
  committed: bigint;
  /** One renewal's price, and the time it buys. */
  renewalAmount: bigint;
  renewalMs: number;
  /** The lease's current expiry (ms since the epoch). */
  expiresAt: number | null;
  /** The renewer has already stopped at the cap: the lease ends at its expiry. */
  capReached: boolean;
};

/**
 * The moment the cap ends the session: the current expiry plus every renewal the rest of the cap still
 * pays for. Null when the cap is not what will end it (no cap, no auto-renew, free renewals).
 */
export function capEndsAt(p: CapEndInputs): number | null {
  if (!p.autoRenew || p.cap === null || p.expiresAt === null || p.renewalAmount <= 0n) return null;
  if (p.capReached) return p.expiresAt;
  const left = p.cap - p.committed;
  const renewals = left > 0n ? left / p.renewalAmount : 0n;
  return p.expiresAt + Number(renewals) * p.renewalMs;
}

/** Calls `onEnding` once `warningMs` before each new cap end (at once when that moment has passed). */
export class CapCountdown {
  private readonly clock: Clock;
  private readonly warningMs: number;
  private readonly onEnding: (endsAt: number) => void;
  private timer: TimerHandle | null = null;
  private armedFor: number | null = null;
  private warnedFor: number | null = null;

  constructor(options: { clock: Clock; warningMs: number; onEnding: (endsAt: number) => void }) {
    this.clock = options.clock;
    this.warningMs = options.warningMs;
    this.onEnding = options.onEnding;
  }

  arm(endsAt: number | null): void {
    if (endsAt === this.armedFor) return;
    this.stop();
    this.armedFor = endsAt;
    if (endsAt === null || endsAt === this.warnedFor) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.warnedFor = endsAt;
        this.onEnding(endsAt);
      },
      Math.max(0, endsAt - this.warningMs - this.clock.now()),
    );
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = null;
  }
}
