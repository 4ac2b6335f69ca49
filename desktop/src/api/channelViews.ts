// What a UI is told about paying by escrow channel (x402 `batch-settlement`): the plan's terms, the running
// session's deposit and ceiling, the refund at disconnect, History's settlement, and the payer's own
// withdrawal from a node that is gone. Plain JSON like every other view.
import type { WireError } from "@wg402/shared";
import type { AmountView } from "./views.ts";

/** How a session pays: the x402 scheme name, as the client core chose it (the channel when offered). */
export type PaymentScheme = "exact" | "batch-settlement";

/** The channel terms of a plan, as the client core's `channelTerms` states them before anything is signed. */
export type ChannelTermsView = {
  channelId: string;
  /** The deposit this session makes now: 0 when the channel already holds enough. */
  deposit: AmountView;
  /** What the channel holds above its claims already (a reconnect reuses it). */
  held: AmountView;
  minDeposit: AmountView | null;
  gasPaidBy: "facilitator";
  facilitatorFee: AmountView;
  /** How long the node has to claim after the payer starts a withdrawal. */
  withdrawDelaySeconds: number | null;
  refundRule: string;
};

/**
 * A running session's channel: what the escrow holds for it and the most its lease can be charged (what the
 * vouchers signed so far cover). The charge itself ticks in the window: `c0 + price × (t − t0)`, rounded up.
 */
export type SessionChannelView = {
  channelId: string;
  /** The channel's balance above its charge when this lease started: what can come back. */
  deposit: AmountView;
  /** The deposit the first payment made (null: the channel already held enough). */
  depositMade: AmountView | null;
  /** The ceiling above the lease's start: the charge never passes it. */
  ceiling: AmountView;
};

/** The cooperative refund at disconnect, or why it did not happen (`channel refund` can ask again). */
export type ChannelRefundView =
  | {
      ok: true;
      channelId: string;
      charged: AmountView;
      refunded: AmountView;
      txHash: string | null;
      txUrl: string | null;
    }
  | { ok: false; error: WireError };

/** A channel session's money in History: the deposit, the charge, the refund, and their transactions. */
export type HistoryChannel = {
  channelId: string;
  deposit: AmountView;
  depositTxHash: string | null;
  depositTxUrl: string | null;
  charged: AmountView | null;
  refunded: AmountView | null;
  refundTxHash: string | null;
  refundTxUrl: string | null;
  /** The refund failed at disconnect: the deposit is still in the escrow. */
  refundError: WireError | null;
};

/** What the escrow holds for this wallet's known channels on a chain, above what the nodes have claimed. */
export type EscrowBalanceView = { total: AmountView; channels: number };

/** One channel this wallet has paid on, as the escrow has it now. */
export type ChannelView = {
  channelId: string;
  nodeUrl: string;
  network: string;
  balance: AmountView;
  claimed: AmountView;
  /** What a withdrawal would pay out: the balance above the claims. */
  withdrawable: AmountView;
  withdrawDelaySeconds: number;
  /** A withdrawal the payer started; ms since the epoch, on the chain's clock. */
  withdrawal: { amount: AmountView; initiatedAt: number; finalizableAt: number } | null;
  /**
   * The chain's clock (its latest block, ms) when this was read, and the host's: the escrow checks the delay
   * against block time, which a test chain can move ahead of the wall clock.
   */
  chainTime: number;
  readAt: number;
};

export type WithdrawStartedView = { channel: ChannelView; txHash: string; txUrl: string | null };

export type WithdrawnView = { channelId: string; amount: AmountView; txHash: string; txUrl: string | null };
