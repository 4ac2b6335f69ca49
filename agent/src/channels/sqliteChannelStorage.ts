import type { Ledger } from "@wg402/shared/node";
import type { Channel, ChannelUpdateResult } from "@x402/evm/batch-settlement/server";
import type { AgentChannelStore } from "./channelStore.ts";

type Row = Record<string, unknown>;
type Hex = `0x${string}`;

// Channel ids are hashes: case must not make two rows of one channel.
const keyOf = (channelId: string) => channelId.toLowerCase();

function channelFromRow(row: Row): Channel {
  const channel: Channel = {
    channelId: row.channel_id as string,
    channelConfig: {
      payer: row.payer as Hex,
      payerAuthorizer: row.payer_authorizer as Hex,
      receiver: row.receiver as Hex,
      receiverAuthorizer: row.receiver_authorizer as Hex,
      token: row.token as Hex,
      withdrawDelay: Number(row.withdraw_delay),
      salt: row.salt as Hex,
    },
    chargedCumulativeAmount: row.charged_cumulative as string,
    signedMaxClaimable: row.signed_max_claimable as string,
    signature: row.signature as string,
    balance: row.balance as string,
    totalClaimed: row.total_claimed as string,
    withdrawRequestedAt: Number(row.withdraw_requested_at),
    refundNonce: Number(row.refund_nonce),
    lastRequestTimestamp: Number(row.last_request_at),
  };
  if (row.onchain_synced_at !== null) channel.onchainSyncedAt = Number(row.onchain_synced_at);
  if (row.pending_id !== null) {
    channel.pendingRequest = {
      pendingId: row.pending_id as string,
      signedMaxClaimable: row.pending_max_claimable as string,
      expiresAt: Number(row.pending_expires_at),
    };
  }
  return channel;
}

const UPSERT = `INSERT INTO channels (channel_id, payer, payer_authorizer, receiver, receiver_authorizer, token,
    withdraw_delay, salt, charged_cumulative, signed_max_claimable, signature, balance, total_claimed,
    withdraw_requested_at, refund_nonce, onchain_synced_at, last_request_at, pending_id, pending_max_claimable,
    pending_expires_at, updated_at)
  VALUES (:id, :payer, :payerAuthorizer, :receiver, :receiverAuthorizer, :token, :withdrawDelay, :salt, :charged,
    :signedMax, :signature, :balance, :totalClaimed, :withdrawRequestedAt, :refundNonce, :syncedAt, :lastRequest,
    :pendingId, :pendingMax, :pendingExpires, :now)
  ON CONFLICT (channel_id) DO UPDATE SET charged_cumulative = excluded.charged_cumulative,
    signed_max_claimable = excluded.signed_max_claimable, signature = excluded.signature,
    balance = excluded.balance, total_claimed = excluded.total_claimed,
    withdraw_requested_at = excluded.withdraw_requested_at, refund_nonce = excluded.refund_nonce,
    onchain_synced_at = excluded.onchain_synced_at, last_request_at = excluded.last_request_at,
    pending_id = excluded.pending_id, pending_max_claimable = excluded.pending_max_claimable,
    pending_expires_at = excluded.pending_expires_at, updated_at = excluded.updated_at`;

function rowParams(id: string, c: Channel, now: number) {
  const cfg = c.channelConfig;
  return {
    id,
    payer: cfg.payer,
    payerAuthorizer: cfg.payerAuthorizer,
    receiver: cfg.receiver,
    receiverAuthorizer: cfg.receiverAuthorizer,
    token: cfg.token,
    withdrawDelay: cfg.withdrawDelay,
    salt: cfg.salt,
    charged: c.chargedCumulativeAmount,
    signedMax: c.signedMaxClaimable,
    signature: c.signature,
    balance: c.balance,
    totalClaimed: c.totalClaimed,
    withdrawRequestedAt: c.withdrawRequestedAt,
    refundNonce: c.refundNonce,
    syncedAt: c.onchainSyncedAt ?? null,
    lastRequest: c.lastRequestTimestamp,
    pendingId: c.pendingRequest?.pendingId ?? null,
    pendingMax: c.pendingRequest?.signedMaxClaimable ?? null,
    pendingExpires: c.pendingRequest?.expiresAt ?? null,
    now,
  };
}

/**
 * The SDK's `ChannelStorage` on the agent's ledger. `updateChannel` runs read, callback and write in one
 * `BEGIN IMMEDIATE` transaction, so no other connection to the file (another process, a restarted agent)
 * can interleave: SQLite's write lock is the per-channel lock, and a commit is on disk before the SDK
 * acts on it (the agent grants time only after that).
 */
export class SqliteChannelStorage implements AgentChannelStore {
  readonly atomicGrant = true;
  private readonly ledger: Ledger;
  private readonly now: () => number;
  private readonly commits = new Map<string, { charge: bigint; grant: (channel: Channel) => void }>();

  constructor(ledger: Ledger, now: () => number = Date.now) {
    this.ledger = ledger;
    this.now = now;
  }

  async get(channelId: string): Promise<Channel | undefined> {
    return this.read(keyOf(channelId));
  }

  async list(): Promise<Channel[]> {
    return this.ledger
      .stmt("SELECT * FROM channels ORDER BY channel_id")
      .all()
      .map((row) => channelFromRow(row as Row));
  }

  async updateChannel(
    channelId: string,
    update: (current: Channel | undefined) => Channel | undefined,
  ): Promise<ChannelUpdateResult> {
    const id = keyOf(channelId);
    return this.ledger.transaction(() => {
      const current = this.read(id);
      const next = update(current);
      if (next === undefined) {
        if (current === undefined) return { channel: undefined, status: "unchanged" } as const;
        this.ledger.stmt("DELETE FROM channels WHERE channel_id = ?").run(id);
        return { channel: undefined, status: "deleted" } as const;
      }
      if (next === current) return { channel: current, status: "unchanged" } as const;
      if (keyOf(next.channelId) !== id) throw new Error(`channel ${channelId} updated into ${next.channelId}`);
      this.ledger.stmt(UPSERT).run(rowParams(id, next, this.now()));
      this.grantOnCommit(current, next);
      return { channel: this.read(id), status: "updated" } as const;
    });
  }

  /**
   * Makes the SDK's commit of a reservation's charge and what it buys one transaction: when the update that
   * clears reservation `pendingId` raises the charge by exactly `charge` (> 0, which no release does), `grant`
   * runs inside it, and a grant that throws rolls the charge back. Removed with {@link forget}.
   */
  expectCommit(pendingId: string, charge: bigint, grant: (channel: Channel) => void): void {
    if (charge <= 0n) throw new Error("only a positive charge can be told apart from a released reservation");
    this.commits.set(pendingId, { charge, grant });
  }

  forget(pendingId: string): void {
    this.commits.delete(pendingId);
  }

  /**
   * Reservations no request holds any more: at start-up, every one a crash left behind. Their channels are
   * verified against the chain again (not locally) on their next voucher.
   */
  async releaseReservations(): Promise<number> {
    return Number(
      this.ledger
        .stmt(
          // The request a crash cut short may have moved money (a deposit): the chain's view is re-read next time.
          `UPDATE channels SET pending_id = NULL, pending_max_claimable = NULL, pending_expires_at = NULL,
             onchain_synced_at = NULL WHERE pending_id IS NOT NULL`,
        )
        .run().changes,
    );
  }

  private grantOnCommit(current: Channel | undefined, next: Channel): void {
    const pendingId = current?.pendingRequest?.pendingId;
    const expected = pendingId === undefined ? undefined : this.commits.get(pendingId);
    if (!current || !expected || next.pendingRequest !== undefined) return;
    if (BigInt(next.chargedCumulativeAmount) - BigInt(current.chargedCumulativeAmount) !== expected.charge) return;
    this.commits.delete(pendingId as string);
    expected.grant(next);
  }

  /** {@link get}, synchronously: the ledger is local. */
  read(channelId: string): Channel | undefined {
    const row = this.ledger.stmt("SELECT * FROM channels WHERE channel_id = ?").get(keyOf(channelId));
    return row ? channelFromRow(row as Row) : undefined;
  }
}
