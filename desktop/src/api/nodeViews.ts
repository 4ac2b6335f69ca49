// What a UI is told about a node it may pick: its info and latency, and, for one the NodeRegistry lists, how it
// stands against its entry. Plain JSON like every other view.
import type { WireError } from "@wg402/shared";
import type { NodeDataView } from "./dataViews.ts";
import type { AmountView, PaymentScheme } from "./views.ts";

/** registry: listed by the chain's NodeRegistry; the others are custom nodes (the local stack's, env, added). */
type NodeSource = "stack" | "env" | "settings" | "registry";

/**
 * verified: the node's own answer matches its registry entry (key, prices, payTo, schemes, signed challenge);
 * untrusted: it does not (`problems` says how), so it is shown but never selectable; unreachable: registered
 * but not answering; custom: not from the registry, so there is no entry to check it against.
 */
export type NodeTrust = "verified" | "untrusted" | "unreachable" | "custom";

/** What the node's operator staked on, as the registry has it. */
export type RegistryListingView = {
  /** The entry's id (the WireGuard key as bytes32). */
  id: string;
  operator: string;
  stake: AmountView;
  status: "active" | "leaving" | "understaked";
  /** ISO 3166 alpha-2, as registered ("DE"), and the country it names ("Germany"; null if none). */
  countryCode: string;
  country: string | null;
  label: string;
};

/** What every node view carries, reachable or not. */
type NodeTrustFields = {
  trust: NodeTrust;
  /** Why an untrusted node is untrusted: the discovery's problem codes ("key_mismatch", …); else empty. */
  problems: string[];
  /** null for a custom node. */
  registry: RegistryListingView | null;
};

export type ReachableNodeView = {
  reachable: true;
  url: string;
  source: NodeSource;
  name: string;
  region: string;
  version: string;
  network: string;
  chainName: string;
  pricePerMinute: AmountView;
  /** Per hour of wall-clock time (a test node's minute can be shorter than 60 s). */
  pricePerHour: AmountView;
  secondsPerMinute: number;
  minMinutes: number;
  maxMinutes: number;
  capacity: { total: number; available: number };
  /** Median round trip of `GET /` in ms, after a warm-up request. */
  latencyMs: number;
  /** The country `region` names when it is an ISO 3166 alpha-2 code ("DE" → "Germany"), else null. */
  country: string | null;
  /** How a session here would pay, as the client core chooses: the channel when the node offers one. */
  scheme: PaymentScheme;
  /** What the node sells of data; null on a node that sells time only. */
  data: NodeDataView | null;
  /** The data price per GB (1,000 MB of 10^6 bytes); null on a node that sells time only. */
  pricePerGb: AmountView | null;
} & NodeTrustFields;

export type UnreachableNodeView = {
  reachable: false;
  url: string;
  source: NodeSource;
  error: WireError;
} & NodeTrustFields;

export type NodeView = ReachableNodeView | UnreachableNodeView;
