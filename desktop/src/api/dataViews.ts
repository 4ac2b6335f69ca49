// What a UI is told about buying data (megabytes of 10^6 bytes up + down): what a node sells, and a running
// data or hybrid lease's allowance. Plain JSON like every other view.
import type { AmountView } from "./views.ts";

/** What a lease is limited by, fixed when it is bought: minutes, megabytes, or whichever runs out first. */
export type LeasePlanView = "time" | "data" | "hybrid";

/** A node's data offer (NodeInfo.data): the price of one MB and the bounds of one purchase. */
export type NodeDataView = {
  pricePerMb: AmountView;
  minMegabytes: number;
  maxMegabytes: number;
  /** How long a data-only lease stays valid after each purchase. */
  validityMinutes: number;
};

/** A data or hybrid lease as it runs: the allowance by the node's count, and how fast it is being used. */
export type SessionDataView = {
  /** Bytes bought so far (up + down) and what is left of them, as the node counts them. */
  bytesAllowed: number;
  bytesLeft: number;
  /** Bytes per second as the core's data renewer measures it; null when it does not (the window works it out). */
  rate: number | null;
  /** Megabytes bought when connecting, and per data renewal (null without auto-renew). */
  megabytes: number;
  renewMegabytes: number | null;
  pricePerMb: AmountView;
};
