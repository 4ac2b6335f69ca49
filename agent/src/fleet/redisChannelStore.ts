import type { Ledger } from "@wg402/shared/node";
import type { Channel, ChannelUpdateResult } from "@x402/evm/batch-settlement/server";
import { RedisChannelStorage } from "@x402/evm/batch-settlement/server/redis-storage";
import type { AgentChannelStore } from "../channels/channelStore.ts";
import type { FleetRedis } from "./redisClient.ts";

/**
 * The channel records of an operator's fleet, in Redis, through the SDK's `RedisChannelStorage` (an optimistic
 * compare-and-set per channel; the scheme's `pendingRequest` reservation in the record serialises one
 * channel's requests across every node).
 *
 * Why the order of commits is safe without one transaction (Redis and the node's SQLite ledger cannot share
 * one): a channel payment commits its charge in Redis first and grants the lease time in SQLite after.
 * - Crash after the charge, before the grant: the charge covered only seconds and bytes already served, up to
 *   the lease's recorded expiry (it is what the lease owed up to now). The payer lost the renewal, not money:
 *   the node's final bill comes from the local lease, and raises the charge only to what that lease owes, so
 *   nothing is charged twice. The payment stays open in the ledger and is failed on restart; the client renews
 *   again. The raised ceiling in Redis buys nothing the ledger did not grant.
 * - Crash before the charge: nothing happened but the reservation, released below on restart.
 * - Never the other order: a grant before its charge would be time served on a charge that may never commit.
 *
 * Reservations: at restart only this node's are released, never another node's in-flight one. The node notes
 * the pendingId of every reservation it writes in its own ledger (before the Redis write, so a crash cannot
 * leave one unnoted) and forgets it once the channel no longer carries it. A note whose write never landed
 * releases nothing (the release compares the pendingId).
 */
export class RedisChannelStore implements AgentChannelStore {
  readonly atomicGrant = false;
  private readonly inner: RedisChannelStorage;
  private readonly ledger: Ledger;

  constructor(p: { redis: FleetRedis; keyPrefix: string; ledger: Ledger }) {
    this.inner = new RedisChannelStorage({ client: p.redis, keyPrefix: p.keyPrefix });
    this.ledger = p.ledger;
    // The node's own notes, beside its leases (not a migration: they mean nothing without a fleet store).
    this.ledger.db.exec(
      "CREATE TABLE IF NOT EXISTS fleet_reservations (pending_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL)",
    );
  }

  get(channelId: string): Promise<Channel | undefined> {
    return this.inner.get(channelId);
  }

  list(): Promise<Channel[]> {
    return this.inner.list();
  }

  async updateChannel(
    channelId: string,
    update: (current: Channel | undefined) => Channel | undefined,
  ): Promise<ChannelUpdateResult> {
    const id = channelId.toLowerCase();
    const result = await this.inner.updateChannel(channelId, (current) => {
      const next = update(current);
      const pendingId = next?.pendingRequest?.pendingId;
      // The callback may run again (a retried compare-and-set): noting twice is harmless.
      if (pendingId !== undefined && pendingId !== current?.pendingRequest?.pendingId) {
        this.ledger
          .stmt("INSERT OR IGNORE INTO fleet_reservations (pending_id, channel_id) VALUES (?, ?)")
          .run(pendingId, id);
      }
      return next;
    });
    this.ledger
      .stmt("DELETE FROM fleet_reservations WHERE channel_id = ? AND pending_id IS NOT ?")
      .run(id, result.channel?.pendingRequest?.pendingId ?? null);
    return result;
  }

  /** Without a shared transaction there is nothing to hook: the time is granted after the settle returns. */
  expectCommit(): void {}

  forget(): void {}

  async releaseReservations(): Promise<number> {
    const own = this.ledger.stmt("SELECT pending_id, channel_id FROM fleet_reservations").all() as {
      pending_id: string;
      channel_id: string;
    }[];
    let released = 0;
    for (const { pending_id: pendingId, channel_id: channelId } of own) {
      const result = await this.inner.updateChannel(channelId, (current) => {
        if (current?.pendingRequest?.pendingId !== pendingId) return current;
        // The request a crash cut short may have moved money (a deposit): the chain's view is re-read next time.
        const { pendingRequest: _, onchainSyncedAt: __, ...rest } = current;
        return rest;
      });
      if (result.status === "updated") released++;
      this.ledger.stmt("DELETE FROM fleet_reservations WHERE pending_id = ?").run(pendingId);
    }
    return released;
  }
}
