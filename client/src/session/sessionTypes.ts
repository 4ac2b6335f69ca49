// What a VpnSession reports and takes: its status, its events and its options, apart from the class so that
// renderers (the CLI's live line, the desktop's view) depend on these types alone.
import type { Lease, UsageReceipt } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { KeyPair } from "@wg402/wireguard";
import type { TokenInfo } from "../chain/money.ts";
import type { SpendSnapshot } from "../chain/spendBudget.ts";
import type { LeaseClient, PaymentReceipt } from "../node/leaseClient.ts";
import type { TunnelDriver, TunnelUp } from "../tunnel/types.ts";
import type { AutoRenewerEvents, AutoRenewerOptions, ExpiryCause } from "./autoRenewer.ts";

/** Why a session's lease ended: the renewer's causes, no renewal asked for, or a disconnect elsewhere. */
export type SessionEndCause = ExpiryCause | "not_renewing" | "disconnected";

export type SessionStatus = {
  phase: "idle" | "connecting" | "connected" | "ended" | "closed";
  leaseId: string | null;
  nodeUrl: string;
  /** ms since the epoch. */
  expiresAt: number | null;
  secondsLeft: number;
  pricePerMinute: bigint;
  token: TokenInfo;
  spend: SpendSnapshot;
  bytesUp: number;
  bytesDown: number;
  renewals: number;
  /** The kill switch holds traffic. */
  blocked: boolean;
  interfaceName: string;
  driver: TunnelDriver["kind"];
};

export type SessionEvents = {
  connected: { lease: Lease; payment: PaymentReceipt; tunnel: TunnelUp };
  scheduled: AutoRenewerEvents["scheduled"];
  renewed: AutoRenewerEvents["renewed"] & { spend: SpendSnapshot };
  lowBalance: AutoRenewerEvents["lowBalance"];
  capReached: AutoRenewerEvents["capReached"];
  renewalFailed: AutoRenewerEvents["renewalFailed"];
  /** Fresh numbers from the node (bytes, expiry). */
  status: SessionStatus;
  /** The lease is over; `blocked` follows when the driver has a kill switch. */
  expired: { leaseId: string; expiresAt: number; cause: SessionEndCause };
  blocked: { leaseId: string; interfaceName: string };
  closed: { leaseId: string | null; receipt: UsageReceipt | null };
  /** Something failed that does not end the session (a status poll, for instance). */
  warning: { message: string; code: string };
};

export type VpnSessionOptions = {
  client: LeaseClient;
  driver: TunnelDriver;
  /** Minutes bought up front. */
  minutes: number;
  autoRenew?: boolean;
  /** Minutes bought per renewal; default `minutes`. */
  renewMinutes?: number;
  interfaceName?: string;
  clock?: Clock;
  /** How often the node is asked for the lease's numbers. Default 5 s. */
  statusIntervalMs?: number;
  /** Remember the lease here (the CLI's state file), so other commands find it. */
  statePath?: string;
  /** Margin, backoff and low-balance settings of the renewer. */
  renewal?: Pick<
    AutoRenewerOptions,
    "safetyFactor" | "minMarginMs" | "maxMarginFraction" | "backoff" | "lowBalanceRenewals"
  >;
  /** Tests pass keys; by default a fresh x25519 pair per session. */
  keys?: KeyPair;
};
