import type { Channel, ChannelStorage } from "@x402/evm/batch-settlement/server";

/**
 * Where the node keeps its channel records: the SDK's `ChannelStorage` (the scheme reads and writes it) plus
 * what the agent needs around it. Two stores implement it: SQLite on the lease ledger (one node), and Redis
 * (a fleet of nodes of one operator, `fleet/redisChannelStore.ts`).
 */
export interface AgentChannelStore extends ChannelStorage {
  /**
   * True when a charge and the lease time it buys commit in one transaction ({@link expectCommit} works):
   * SQLite only. Otherwise the charge commits first and the time is granted after it (why that order is
   * safe: `fleet/redisChannelStore.ts`).
   */
  readonly atomicGrant: boolean;
  /** See `SqliteChannelStorage.expectCommit`; a no-op where {@link atomicGrant} is false. */
  expectCommit(pendingId: string, charge: bigint, grant: (channel: Channel) => void): void;
  forget(pendingId: string): void;
  /** At start-up: releases the SDK reservations this node's crash left behind (never another node's). */
  releaseReservations(): Promise<number>;
}

/**
 * Which node serves a channel. Leases are per node, but a channel pays for one lease at a time fleet-wide:
 * two nodes billing one channel at once would each bill from the same cumulative charge. A single node needs
 * no holds (its own ledger says which leases run); a fleet holds a Redis key per channel.
 */
export interface ChannelHolds {
  /**
   * Takes or extends this node's hold on the channel for at least `ttlMs`; false when another node holds it.
   */
  take(channelId: string, ttlMs: number): Promise<boolean>;
  /** Gives this node's hold up (another node's is left alone). */
  release(channelId: string): Promise<void>;
  /** Whether a node other than this one holds the channel. */
  heldElsewhere(channelId: string): Promise<boolean>;
  /** The channels this node holds. */
  mine(): Promise<string[]>;
}

/** One node: its ledger is the whole truth, so every hold is its own. */
export const localHolds: ChannelHolds = {
  take: async () => true,
  release: async () => {},
  heldElsewhere: async () => false,
  mine: async () => [],
};
