import type {
  ChannelRefundView,
  ChannelTermsView,
  EscrowBalanceView,
  HistoryChannel,
  PaymentScheme,
  SessionChannelView,
} from "./channelViews.ts";

import type { LeasePlanView, SessionDataView } from "./dataViews.ts";
import type { ReceiptBadgeView } from "./receiptViews.ts";

export type * from "./channelViews.ts";
export type * from "./dataViews.ts";
export type * from "./nodeViews.ts";
export type * from "./receiptViews.ts";

export type TunnelDriverKind = "wg-quick" | "userspace" | "export";

/** Why a session's lease ended, as the client core names it. */
export type SessionEndCause =
  | "spend_cap"
  | "insufficient_balance"
  | "renewal_failed"
  | "lease_gone"
  | "not_renewing"
  | "disconnected"
  | "stalled";

/** An amount of a token (or of gas). */
export type AmountView = {
  /** Base units, as a decimal string. */
  amount: string;
  decimals: number;
  symbol: string;
  /** "0.05 tUSD", formatted by the core. */
  formatted: string;
};

export type DriverOption = {
  kind: TunnelDriverKind;
  /** Whether traffic stays blocked when the lease ends. */
  killSwitch: boolean;
  /** False when this machine cannot run it (root, tools); `note` says why. */
  available: boolean;
  note: string;
};

/** A lease an earlier run (or the CLI) left in the state file, which this app did not start. */
export type RecordedLeaseView = {
  leaseId: string;
  nodeUrl: string;
  startedAt: string;
  expiresAt: string;
  driver: TunnelDriverKind | null;
  blocked: boolean;
};

export type AppInfo = {
  version: string;
  transport: "electron" | "daemon";
  /** Where the wallet, the state file and the tunnel configs live. */
  home: string;
  defaultDriver: TunnelDriverKind;
  drivers: DriverOption[];
  /** The local stack (`npm start`) is running: its chain has a faucet. */
  localStack: { rpcUrl: string; network: string } | null;
  recordedLease: RecordedLeaseView | null;
};

export type WalletView = {
  state: "none" | "locked" | "unlocked";
  address: string | null;
  /** `env`: WG402_PRIVATE_KEY (scripts); the keystore is not used then. */
  source: "keystore" | "env";
  keystorePath: string;
};

export type BalancesView = {
  address: string;
  network: string;
  chainName: string;
  /** Test chains only: tokens have no value. */
  testOnly: boolean;
  /** This chain has a faucet this app can call. */
  faucet: boolean;
  token: AmountView;
  gas: AmountView;
  /** Held by the escrow for this wallet's channels on this chain; null when it could not be read. */
  escrow: EscrowBalanceView | null;
  readAt: string;
};

export type FaucetView = {
  txHash: string;
  received: AmountView;
  balance: AmountView;
  /** The wallet had no gas and got some from the local stack's test deployer first. */
  gasTopUp: boolean;
};

/**
 * What connecting commits the user to, said before the first payment: the node's own 402 answer for
 * `minutes` (the first payment), its price, the spend cap the session will have with the current settings,
 * and how it is paid: `exact` payments are final (prepaid time not used is not refunded); a channel takes a
 * deposit, charges the seconds used and refunds the rest.
 */
export type QuoteView = {
  nodeUrl: string;
  /** What the first payment buys: minutes (0 for a data lease) and megabytes (0 for a time lease). */
  minutes: number;
  megabytes: number;
  plan: LeasePlanView;
  /** The first payment. */
  total: AmountView;
  pricePerMinute: AmountView;
  /** null on a node that sells time only. */
  pricePerMb: AmountView | null;
  secondsPerMinute: number;
  /** null only when "no cap" was chosen. */
  cap: AmountView | null;
  capSource: "explicit" | "default" | "none";
  scheme: PaymentScheme;
  refundsUnusedTime: boolean;
  /** Paying by channel: the client core's terms; null for `exact`, or before the wallet is unlocked. */
  channel: ChannelTermsView | null;
};

/** The wallet's address and a QR code of it (SVG text, shown as an image). */
export type AddressQrView = { address: string; svg: string };

/** The keystore file as it is, still encrypted with its passphrase, to save or copy elsewhere. */
export type KeystoreExportView = { address: string; fileName: string; json: string };

export type SessionPhase = "connecting" | "connected" | "ended" | "closing";

/**
 * The tunnel's WireGuard evidence, from the core: `connecting` until the first handshake, `connected`, or
 * `stalled` (no handshake and nothing received for `staleAfterMs`: renewals are held, nothing is paid).
 */
export type LinkView = {
  state: "connecting" | "connected" | "stalled";
  /** device: the client's own WireGuard interface; node: the node's view of the lease (export). */
  evidence: "device" | "node";
  /** ms since the epoch, null before the first handshake. */
  lastHandshakeAt: number | null;
  handshakeAgeMs: number | null;
  lastReceivedAt: number | null;
  rxBytes: number;
  txBytes: number;
  staleAfterMs: number;
};

export type SessionView = {
  phase: SessionPhase;
  leaseId: string | null;
  nodeUrl: string;
  nodeName: string;
  region: string;
  network: string;
  /** The tunnel address the node gave this client. */
  address: string | null;
  driver: TunnelDriverKind;
  killSwitch: boolean;
  /** The kill switch holds traffic. */
  blocked: boolean;
  /** export: the WireGuard config to import. */
  configPath: string | null;
  /** Sentences from the tunnel driver. */
  notes: string[];
  /** ms since the epoch. */
  startedAt: number | null;
  expiresAt: number | null;
  secondsLeft: number;
  secondsPerMinute: number;
  pricePerMinute: AmountView;
  costPerHour: AmountView;
  /** Settled this session. */
  spent: AmountView;
  /** Signed this session (what the cap counts). */
  committed: AmountView;
  cap: AmountView | null;
  bytesUp: number;
  bytesDown: number;
  renewals: number;
  autoRenew: boolean;
  minutes: number;
  renewMinutes: number;
  nextRenewalAt: number | null;
  /** Set once the lease has ended (the "paused" state). */
  ended: { cause: SessionEndCause; at: number } | null;
  /** Handshake and traffic evidence; null until the tunnel is configured. */
  link: LinkView | null;
  /** When the spend cap will end this session (ms since the epoch); null when it will not. */
  capEndsAt: number | null;
  /** The cap as set: a figure, the default (one hour at the node's price), or "none" chosen. */
  capSource: "explicit" | "default" | "none";
  scheme: PaymentScheme;
  /** Paying by channel, once the lease exists; null for `exact`. */
  channel: SessionChannelView | null;
  plan: LeasePlanView;
  /** A data or hybrid lease's allowance; null for a time lease. */
  data: SessionDataView | null;
};

/**
 * The session as of `revision`, which only grows: a UI keeps the highest it has seen, so an event that
 * arrives after a command's answer (two channels, no common order) never turns the clock back.
 */
export type SessionSnapshot = { revision: number; session: SessionView | null };

export type HistoryPayment = {
  amount: AmountView;
  minutes: number;
  /** 0 for a payment that bought no data (every payment before data leases). */
  megabytes: number;
  txHash: string | null;
  /** The explorer link for this chain (settings or the chain registry), when there is one. */
  txUrl: string | null;
  paidAt: string;
};

export type HistoryEntry = {
  leaseId: string;
  nodeUrl: string;
  nodeName: string;
  region: string;
  /** As on NodeView: the country an ISO 3166 alpha-2 region names, else null. */
  country: string | null;
  network: string;
  startedAt: string;
  endedAt: string;
  secondsUsed: number;
  bytesUp: number;
  bytesDown: number;
  totalPaid: AmountView;
  payments: HistoryPayment[];
  /** Megabytes bought over the session's payments; 0 for a time lease. */
  megabytes: number;
  endCause: SessionEndCause | "closed";
  /** A channel session's deposit, charge and refund; null for `exact` (or a record from before channels). */
  channel: HistoryChannel | null;
  /** The node's signed usage receipt for this lease, as kept and checked again now. */
  receipt: ReceiptBadgeView;
};

/**
 * A session just ended by a disconnect, as Home sums it up: its History entry and the prepaid time it still
 * had, which `exact` payments do not refund; on a channel, the charge and the refund of the rest instead.
 */
export type ClosedSummary = {
  entry: HistoryEntry;
  scheme: PaymentScheme;
  unusedSeconds: number;
  unusedAmount: AmountView;
  /** A data or hybrid lease: the allowance left unused and its worth at the MB price (not refunded with `exact`). */
  unusedData?: { bytes: number; amount: AmountView } | null;
  /** Paying by channel: the cooperative refund (null when the close never got that far). */
  refund: ChannelRefundView | null;
  /**
   * The node's signed usage receipt as the core checked it (signature by its advertised signer, bytes against
   * this device's counters); null without a receipt. A failed check is kept in WG402_HOME/receipts.jsonl.
   */
  receiptCheck?: { ok: boolean; text: string } | null;
};

export type SettingsView = {
  /** Minutes bought when connecting. */
  minutes: number;
  autoRenew: boolean;
  renewMinutes: number;
  /** The plan of the next connection; data and hybrid only on nodes that sell data. */
  plan: LeasePlanView;
  /** Megabytes bought when connecting on a data or hybrid plan; each data renewal buys as many again. */
  megabytes: number;
  /**
   * Session spend cap in whole tokens ("0.5"); "none", chosen explicitly, for no cap; null for the default,
   * one hour at the chosen node's price (a session never spends without a limit the user saw).
   */
  spendCap: string | "none" | null;
  /** The cap-countdown banner shows from this many minutes before the cap ends a session; 0: never. */
  capWarningMinutes: number;
  /** Warn when the balance covers fewer minutes than this. */
  lowBalanceMinutes: number;
  /** null: the app's default driver. */
  driver: TunnelDriverKind | null;
  /** Nodes the user added. */
  nodes: string[];
  /** network (eip155:…) → "https://explorer/tx/{hash}"; overrides the chain registry's. */
  explorerTxUrls: Record<string, string>;
};
