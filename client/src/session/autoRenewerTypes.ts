// What an AutoRenewer takes and tells, apart from the class so that renderers depend on these types alone.
import type { Backoff, Clock } from "@wg402/shared/runtime";

/** What one renewal bought. */
export type RenewalResult = {
  /** The lease's new expiry, ms since the epoch. */
  expiresAt: number;
  amount: bigint;
  txHash: string | null;
};

/** The renewer's view of the world: pay for more minutes, and optionally read the token balance. */
export type RenewTarget = {
  renew(minutes: number): Promise<RenewalResult>;
  balance?(): Promise<bigint>;
  /**
   * Asked right before each payment: false holds renewing (the tunnel has stalled) until `resume()`, so
   * nothing is paid for a tunnel that carries nothing.
   */
  ready?(): Promise<boolean>;
};

/** What ended the lease; `stalled`: renewing was held because the tunnel had gone quiet. */
export type ExpiryCause = "spend_cap" | "insufficient_balance" | "renewal_failed" | "lease_gone" | "stalled";

export type AutoRenewerEvents = {
  /** The next renewal is due at `at`, `marginMs` before `expiresAt`. */
  scheduled: { leaseId: string; at: number; expiresAt: number; marginMs: number };
  renewed: {
    leaseId: string;
    minutes: number;
    amount: bigint;
    txHash: string | null;
    expiresAt: number;
    latencyMs: number;
    /** Successful renewals so far. */
    renewals: number;
  };
  /** The balance covers fewer than `lowBalanceRenewals` more renewals; 0 means renewing has stopped. */
  lowBalance: { leaseId: string; balance: bigint; price: bigint; renewalsLeft: number };
  /** The next renewal would pass the spend cap: renewing has stopped and the lease runs out at `expiresAt`. */
  capReached: { leaseId: string; cap: bigint | null; committed: bigint; needed: bigint; expiresAt: number };
  renewalFailed: {
    leaseId: string;
    code: string;
    message: string;
    attempt: number;
    /** When the next attempt runs, or null when there is none before expiry. */
    retryInMs: number | null;
    expiresAt: number;
  };
  /** The lease has run out (or the node no longer has it); nothing more will happen. */
  expired: { leaseId: string; expiresAt: number; cause: ExpiryCause };
};

export type SpendGate = {
  fits(amount: bigint): boolean;
  readonly cap: bigint | null;
  readonly committed: bigint;
};

export type AutoRenewerOptions = {
  leaseId: string;
  /** Current expiry, ms since the epoch. */
  expiresAt: number;
  /** Minutes bought per renewal. */
  minutes: number;
  /** Price of one renewal in base units. */
  price: bigint;
  /** A billed minute in ms (60 000, or less on test nodes). */
  minuteMs: number;
  target: RenewTarget;
  /** Checked before each renewal; the lease client's session budget. */
  budget?: SpendGate;
  clock?: Clock;
  /** Latency of the payment that bought the lease, the first sample for the margin. */
  initialLatencyMs?: number;
  /** The margin is at least this many times the slowest recent payment. Default 3. */
  safetyFactor?: number;
  /** Floor of the margin, default 10 s, but never more than `maxMarginFraction` of one renewal's time. */
  minMarginMs?: number;
  maxMarginFraction?: number;
  backoff?: Partial<Backoff>;
  /** Warn when the balance covers fewer renewals than this. Default 3. */
  lowBalanceRenewals?: number;
  /**
   * Start a renewal once the time left falls below this, when it is wider than the margin. A channel's
   * renewal sends no transaction and costs nothing extra, so it can start early: a slow node or a hiccup
   * then has this long to be retried. Renewals stay one renewal's time apart (a renewal extends from the
   * expiry, so renewing more often would only pile up granted time, which a vanished client is charged for).
   * Default 0: renew at the margin.
   */
  renewAheadMs?: number;
};
