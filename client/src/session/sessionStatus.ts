// A session's numbers as its renderers read them, and the readings its lease keeper works from.
import type { Clock } from "@wg402/shared/runtime";
import type { LeaseClient } from "../node/leaseClient.ts";
import type { PeerReading, TunnelDriver, TunnelHandle } from "../tunnel/types.ts";
import type { HeldLease, LeaseKeeper } from "./leaseKeeper.ts";
import { readingFromNode } from "./linkMonitor.ts";
import type { LinkWatch } from "./linkWatch.ts";
import type { CapSource } from "./sessionPlan.ts";
import type { SessionPhase, SessionStatus } from "./sessionTypes.ts";

export function sessionStatusOf(p: {
  phase: SessionPhase;
  held: HeldLease | null;
  keeper: LeaseKeeper | null;
  client: LeaseClient;
  clock: Clock;
  handle: TunnelHandle | null;
  link: LinkWatch;
  interfaceName: string;
  driver: TunnelDriver;
  capSource: CapSource;
}): SessionStatus {
  const now = p.clock.now();
  const expiresAt = p.held?.expiresAt ?? null;
  const lease = p.held?.lease ?? null;
  const keeper = p.phase === "connected" ? p.keeper : null;
  return {
    phase: keeper?.stalled ? "stalled" : p.phase,
    leaseId: lease?.id ?? null,
    nodeUrl: p.client.nodeUrl,
    expiresAt,
    secondsLeft: expiresAt === null ? 0 : Math.max(0, Math.floor((expiresAt - now) / 1000)),
    pricePerMinute: p.client.pricePerMinute,
    token: p.client.chain.token,
    spend: p.client.spend(),
    capSource: p.capSource,
    capEndsAt: keeper ? keeper.capEndsAt() : null,
    nextRenewalAt: keeper ? keeper.nextRenewalAt : null,
    bytesUp: lease?.usage.bytesUp ?? 0,
    bytesDown: lease?.usage.bytesDown ?? 0,
    bytesAllowed: lease?.bytesAllowed ?? null,
    bytesLeft: lease?.bytesLeft ?? null,
    dataRate: keeper ? keeper.dataRate : null,
    renewals: p.keeper?.renewals ?? 0,
    blocked: p.handle?.blocked ?? false,
    interfaceName: p.interfaceName,
    driver: p.driver.kind,
    link: p.handle ? p.link.status() : null,
  };
}

/** The lease's bytes up + down: this machine's own counters when it has a device, else the node's last count. */
export async function usedBytesOf(
  driver: TunnelDriver,
  handle: TunnelHandle | null,
  held: HeldLease | null,
): Promise<number | null> {
  if (driver.evidence === "device" && handle) {
    const reading = await driver.readPeer(handle);
    if (reading) return reading.rxBytes + reading.txBytes;
  }
  const usage = held?.lease.usage;
  return usage ? usage.bytesUp + usage.bytesDown : null;
}

/** The tunnel's evidence: the device's reading of the node's peer, or (without a device) the node's own count. */
export async function readEvidenceOf(
  driver: TunnelDriver,
  handle: TunnelHandle | null,
  held: HeldLease | null,
  client: LeaseClient,
): Promise<PeerReading | null> {
  if (driver.evidence === "device") return handle ? driver.readPeer(handle) : null;
  if (!held) return null;
  const lease = await client.status(held.lease.id);
  held.lease = lease;
  return readingFromNode(lease.usage);
}
