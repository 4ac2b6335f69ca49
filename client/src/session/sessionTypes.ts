// What a VpnSession reports and takes: its status, its events and its options, apart from the class so that
// renderers (the CLI's live line, the desktop's view) depend on these types alone.

import type { Lease, UsageReceipt } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { KeyPair } from "@wg402/wireguard";
import type { TokenInfo } from "../chain/money.ts";
import type { SpendSnapshot } from "../chain/spendBudget.ts";
import type { ChannelRefund } from "../channel/channelRefund.ts";
import type { LeaseClient, PaymentReceipt } from "../node/leaseClient.ts";
import type { UsageCheck } from "../receipts/usageCheck.ts";
import type { TunnelDriver, TunnelUp } from "../tunnel/types.ts";
import type { AutoRenewerEvents, AutoRenewerOptions, ExpiryCause } from "./autoRenewer.ts";
import type { DataRenewerEvents } from "./dataRenewer.ts";
import type { LinkStatus } from "./linkMonitor.ts";
import type { CapSource, SessionPlan } from "./sessionPlan.ts";

/** Why a session's lease ended: the renewer's causes, no renewal asked for, or a disconnect elsewhere. */
export type SessionEndCause = ExpiryCause | "not_renewing" | "disconnected";

/**
 * idle → connecting (paying, then waiting for the first WireGuard handshake) → connected ⇄ stalled (the
 * tunnel went quiet: nothing is paid) → ended (the lease is over; kill switch) → closed.
 */
export type SessionPhase = "idle" | "connecting" | "connected" | "stalled" | "ended" | "closed";

export type SessionStatus = {
  phase: SessionPhase;
  leaseId: string | null;
  nodeUrl: string;
  /** ms since the epoch. */
  expiresAt: number | null;
  secondsLeft: number;
  pricePerMinute: bigint;
  token: TokenInfo;
  spend: SpendSnapshot;
  /** Where the spend cap came from. */
  capSource: CapSource;
  /** When the spend cap will end this session (ms since the epoch); null when it will not. */
  capEndsAt: number | null;
  /** The next renewal, or null (not renewing, held while stalled, or stopped). */
  nextRenewalAt: number | null;
  bytesUp: number;
  bytesDown: number;
  /** A data lease's allowance and what is left of it (the node's count); null for a time lease. */
  bytesAllowed: number | null;
  bytesLeft: number | null;
  /** The tunnel's rate as the data renewer measures it, bytes per second; null when not renewing by data. */
  dataRate: number | null;
  renewals: number;
  /** The kill switch holds traffic. */
  blocked: boolean;
  interfaceName: string;
  driver: TunnelDriver["kind"];
  /** The WireGuard evidence (handshake age, bytes received); null before the tunnel is up. */
  link: LinkStatus | null;
};

/** The session's end of a lease, with what was paid and not used (exact payments are not refunded). */
export type SessionClosed = {
  leaseId: string | null;
  receipt: UsageReceipt | null;
  /** Prepaid time left on the lease when it was closed, and its value at the node's price. */
  unusedSeconds: number;
  /** Prepaid data left on a data or hybrid lease (in `unusedAmount` too). */
  unusedBytes?: number;
  unusedAmount: bigint;
  /** Paying by channel: the cooperative refund of the unused deposit at the close (null: kept, or not asked). */
  refund?: ChannelRefund | null;
  /** Paying by channel with `keepDeposit`: the unused deposit stayed in the channel for the next session. */
  depositKept?: boolean;
  /** The receipt's signature and (with a device of our own) its bytes against our counters; null: no receipt. */
  receiptCheck?: UsageCheck | null;
};

export type SessionEvents = {
  /** Everything checked, nothing paid yet: what the session commits the user to. */
  plan: SessionPlan;
  /** The first payment went through and the tunnel is configured; the first handshake is awaited. */
  leased: { lease: Lease; payment: PaymentReceipt; tunnel: TunnelUp; handshakeTimeoutMs: number };
  /** The first handshake (or bytes from the node): the tunnel works. */
  connected: { lease: Lease; payment: PaymentReceipt; tunnel: TunnelUp; link: LinkStatus };
  /** No handshake and nothing received for `staleAfterMs`: renewals are held. */
  stalled: { leaseId: string; link: LinkStatus; expiresAt: number };
  /** Fresh evidence again while the lease lives: renewals resume. */
  recovered: { leaseId: string; link: LinkStatus; expiresAt: number };
  /** The lease was extended by someone else (`wg402 renew`): the node's new expiry. */
  extended: { leaseId: string; expiresAt: number; nextRenewalAt: number | null };
  /** The spend cap will end the session at `capEndsAt`; sent `capWarningMs` before it. */
  capEnding: { leaseId: string; capEndsAt: number; cap: bigint | null; committed: bigint };
  scheduled: AutoRenewerEvents["scheduled"];
  renewed: AutoRenewerEvents["renewed"] & { spend: SpendSnapshot };
  /** A data renewal: more megabytes, bought before the allowance ran out. */
  dataRenewed: DataRenewerEvents["dataRenewed"] & { spend: SpendSnapshot };
  lowBalance: AutoRenewerEvents["lowBalance"];
  capReached: AutoRenewerEvents["capReached"];
  renewalFailed: AutoRenewerEvents["renewalFailed"];
  /** Fresh numbers from the node (bytes, expiry). */
  status: SessionStatus;
  /** The lease is over; `blocked` follows when the driver has a kill switch. */
  expired: { leaseId: string; expiresAt: number; cause: SessionEndCause };
  blocked: { leaseId: string; interfaceName: string };
  closed: SessionClosed;
  /** Something failed that does not end the session (a status poll, for instance). */
  warning: { message: string; code: string };
};

export type VpnSessionOptions = {
  client: LeaseClient;
  driver: TunnelDriver;
  /** Minutes bought up front (0 for a data lease). */
  minutes: number;
  /** Megabytes bought up front: a data lease (with `minutes: 0`) or a hybrid one. */
  megabytes?: number;
  autoRenew?: boolean;
  /** Minutes bought per renewal; default `minutes`. */
  renewMinutes?: number;
  /** Megabytes bought per data renewal; default `megabytes`. */
  renewMegabytes?: number;
  interfaceName?: string;
  clock?: Clock;
  /** How often the node is asked for the lease's numbers. Default 5 s. */
  statusIntervalMs?: number;
  /**
   * How long to wait for the first handshake before closing the lease. Default 10 s; with `export` 120 s,
   * since the user first imports the config into their WireGuard app.
   */
  handshakeTimeoutMs?: number;
  /** How quiet (no handshake, nothing received) a tunnel may be before it stalls. Default 180 s. */
  staleAfterMs?: number;
  /** How often a device is read for evidence. Default 2 s (or half of `staleAfterMs`, if shorter). */
  linkCheckMs?: number;
  /** How long before the cap ends the session `capEnding` is sent. Default 2 minutes. */
  capWarningMs?: number;
  /** Where the client's spend cap came from (`openSession` knows); by default explicit, or none without one. */
  capSource?: CapSource;
  /** Remember the lease here (the CLI's state file), so other commands find it. */
  statePath?: string;
  /** Margin, backoff and low-balance settings of the renewer. */
  renewal?: Pick<
    AutoRenewerOptions,
    "safetyFactor" | "minMarginMs" | "maxMarginFraction" | "backoff" | "lowBalanceRenewals" | "renewAheadMs"
  >;
  /** Tests pass keys; by default a fresh x25519 pair per session. */
  keys?: KeyPair;
  /**
   * Paying by channel: leave the unused deposit in the channel at the close, for the next session on this node
   * (no refund transaction now, no deposit then). By default it is refunded at once.
   */
  keepDeposit?: boolean;
};
