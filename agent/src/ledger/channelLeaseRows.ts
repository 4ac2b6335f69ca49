import type { Ledger } from "@wg402/shared/node";
import { type LeaseChannel, type LeaseRecord, leaseFromRow } from "./records.ts";

/**
 * What a channel payment grants: the expiry and the data allowance its ceiling covers, and the bill's basis
 * (channels/channelBilling.ts).
 */
export type ChannelGrant = {
  expiresAt: number;
  bytesAllowed: number | null;
  channel: Omit<LeaseChannel, "opening">;
  /** What the voucher added to the ceiling for this purchase: the most it can cost (the charge is by the second). */
  authorized: bigint;
};

/** The lease rows as channel billing reads them: which leases a channel paid for, and their final charge. */
export class ChannelLeaseRows {
  private readonly ledger: Ledger;

  constructor(ledger: Ledger) {
    this.ledger = ledger;
  }

  /** Leases on a channel that ended (closed, or expired) and whose final seconds are not charged yet. */
  unbilled(): LeaseRecord[] {
    return this.ledger
      .stmt(
        "SELECT * FROM leases WHERE channel_id IS NOT NULL AND channel_billed_at IS NULL AND state IN ('expired', 'closed')",
      )
      .all()
      .map(leaseFromRow);
  }

  /** Whether a lease on this channel still runs, or ended without its final charge: its deposit must stay. */
  inUse(channelId: string): boolean {
    const row = this.ledger.stmt("SELECT 1 FROM leases WHERE channel_id = ? AND channel_billed_at IS NULL LIMIT 1");
    return row.get(channelId) !== undefined;
  }

  /** Inside the settling transaction: the lease's bill basis, and what this voucher authorized. */
  recordGrant(paymentKey: string, leaseId: string, grant: ChannelGrant): void {
    // A voucher's own amount is cumulative over the channel; the lease records what this one authorized.
    this.ledger
      .stmt("UPDATE payments SET amount = ? WHERE payment_key = ?")
      .run(grant.authorized.toString(), paymentKey);
    this.ledger
      .stmt(
        `UPDATE leases SET channel_id = ?, channel_t0 = ?, channel_b0 = ?, channel_c0 = ?, channel_billed_at = NULL,
         channel_opening_c0 = COALESCE(channel_opening_c0, ?) WHERE id = ?`,
      )
      .run(
        grant.channel.id,
        grant.channel.t0,
        grant.channel.b0,
        grant.channel.c0.toString(),
        grant.channel.c0.toString(),
        leaseId,
      );
  }

  markBilled(leaseId: string, now: number): void {
    this.ledger.stmt("UPDATE leases SET channel_billed_at = ? WHERE id = ?").run(now, leaseId);
  }

  /** The newest lease a channel paid for: the one whose bill the channel's next payment continues. */
  latest(channelId: string): LeaseRecord | undefined {
    const row = this.ledger
      .stmt("SELECT * FROM leases WHERE channel_id = ? ORDER BY created_at DESC LIMIT 1")
      .get(channelId);
    return row ? leaseFromRow(row) : undefined;
  }
}
