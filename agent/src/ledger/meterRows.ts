import type { Ledger } from "@wg402/shared/node";
import { meterTotals } from "../metering/readMeter.ts";
import { type LeaseRecord, leaseFromRow, type MeterUpdate } from "./records.ts";

/** Stores a meter reading; totals are derived from it so they can never disagree. */
export function writeMeter(ledger: Ledger, id: string, update: MeterUpdate): void {
  const totals = meterTotals(update.meter);
  ledger
    .stmt(
      `UPDATE leases SET carried_up = ?, carried_down = ?, seen_up = ?, seen_down = ?, bytes_up = ?, bytes_down = ?,
         last_handshake_at = COALESCE(?, last_handshake_at) WHERE id = ?`,
    )
    .run(
      update.meter.carriedUp,
      update.meter.carriedDown,
      update.meter.seenUp,
      update.meter.seenDown,
      totals.bytesUp,
      totals.bytesDown,
      update.lastHandshakeAt,
      id,
    );
}

/**
 * Leases that used their data allowance run out now: an expiry like any other follows, with its final reading,
 * and a hybrid lease's time billing stops here. Returns the ids that were still running.
 */
export function exhaustLeases(ledger: Ledger, ids: string[], now: number): string[] {
  const cut = ledger.stmt("UPDATE leases SET expires_at = ? WHERE id = ? AND state = 'active' AND expires_at > ?");
  return ids.filter((id) => Number(cut.run(now, id, now).changes) === 1);
}

export function activeDataLeases(ledger: Ledger, now: number): LeaseRecord[] {
  return ledger
    .stmt("SELECT * FROM leases WHERE state = 'active' AND bytes_allowed IS NOT NULL AND expires_at > ?")
    .all(now)
    .map(leaseFromRow);
}
