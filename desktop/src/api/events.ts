// The event half of the client API. State events carry a whole snapshot (a UI just replaces what it shows);
// the others are the client core's session events, made JSON, for the activity feed and notices.
import type { WireError } from "@wg402/shared";
import type {
  AmountView,
  BalancesView,
  ClosedSummary,
  HistoryEntry,
  LinkView,
  NodeView,
  SessionEndCause,
  SessionSnapshot,
  SettingsView,
  WalletView,
} from "./views.ts";

export const eventTypes = [
  "session",
  "wallet",
  "balances",
  "nodes",
  "settings",
  "history",
  "connected",
  "scheduled",
  "renewed",
  "dataRenewed",
  "lowBalance",
  "capReached",
  "capEnding",
  "stalled",
  "recovered",
  "renewalFailed",
  "expired",
  "blocked",
  "closed",
  "warning",
] as const;

export type ApiEventType = (typeof eventTypes)[number];

export type ApiEvents = {
  session: SessionSnapshot;
  wallet: { wallet: WalletView };
  balances: { balances: BalancesView };
  nodes: { nodes: NodeView[] };
  settings: { settings: SettingsView };
  history: { entries: HistoryEntry[] };
  connected: {
    leaseId: string;
    nodeUrl: string;
    minutes: number;
    /** 0 for a time lease. */
    megabytes: number;
    amount: AmountView;
    txHash: string | null;
    txUrl: string | null;
  };
  scheduled: { leaseId: string; at: number; expiresAt: number };
  renewed: {
    leaseId: string;
    minutes: number;
    amount: AmountView;
    txHash: string | null;
    txUrl: string | null;
    expiresAt: number;
    renewals: number;
  };
  /** The core's data renewer bought more megabytes before the allowance ran out. */
  dataRenewed: {
    leaseId: string;
    megabytes: number;
    amount: AmountView;
    txHash: string | null;
    txUrl: string | null;
    bytesAllowed: number;
    renewals: number;
  };
  /** The core's renewer: the balance covers fewer than a few more renewals. */
  lowBalance: { leaseId: string; balance: AmountView; renewalsLeft: number };
  capReached: { leaseId: string; cap: AmountView | null; committed: AmountView; expiresAt: number };
  /** The spend cap will end the session at `capEndsAt`; sent the settings' warning time before it. */
  capEnding: { leaseId: string; capEndsAt: number; cap: AmountView | null };
  /** No handshake and nothing received for a while: renewals are held, nothing is paid. */
  stalled: { leaseId: string; link: LinkView };
  /** Fresh WireGuard evidence again: renewals resume. */
  recovered: { leaseId: string; link: LinkView };
  renewalFailed: { leaseId: string; error: WireError; attempt: number; retryInMs: number | null };
  expired: { leaseId: string; cause: SessionEndCause; expiresAt: number };
  blocked: { leaseId: string; interfaceName: string };
  closed: { leaseId: string | null; entry: HistoryEntry | null; summary: ClosedSummary | null };
  /** Something failed in the background that did not end the session. */
  warning: { error: WireError };
};

export type ApiEvent = { [K in ApiEventType]: { type: K } & ApiEvents[K] }[ApiEventType];

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const typesMatch: Exact<ApiEventType, keyof ApiEvents> = true;
void typesMatch;

export function isApiEventType(value: string): value is ApiEventType {
  return (eventTypes as readonly string[]).includes(value);
}
