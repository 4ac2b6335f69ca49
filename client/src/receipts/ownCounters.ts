import type { TunnelDriver, TunnelHandle } from "../tunnel/types.ts";
import type { ClientCounters } from "./usageCheck.ts";

/**
 * The device's own counters just before the close, to hold the node's receipt against; null without a device
 * (export mode) or when it cannot be read.
 */
export async function ownCounters(
  driver: TunnelDriver,
  handle: TunnelHandle | null,
  now: () => number,
): Promise<ClientCounters | null> {
  if (driver.evidence !== "device" || !handle) return null;
  const reading = await driver.readPeer(handle).catch(() => null);
  if (!reading) return null;
  return { bytesUp: reading.txBytes, bytesDown: reading.rxBytes, readAt: now() };
}
