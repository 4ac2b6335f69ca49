import type { Ledger } from "@wg402/shared/node";
import { meterTotals } from "../metering/readMeter.ts";
import type { MeterUpdate } from "./records.ts";

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
