import type { PeerStatus, WireguardDriver } from "@wg402/wireguard";
import type { LeaseRecord, LeaseStore, MeterUpdate, Usage } from "../ledger/leaseStore.ts";
import { endGeneration, meterTotals, readMeter } from "./readMeter.ts";

/**
 * Reads WireGuard's per-peer counters into the ledger. Polled (about every 10 s), and read once more right
 * before a peer goes away so that no billed byte is lost.
 */
export class Meter {
  private readonly store: LeaseStore;
  private readonly driver: WireguardDriver;

  constructor(store: LeaseStore, driver: WireguardDriver) {
    this.store = store;
    this.driver = driver;
  }

  /** The stored meter folded with the peer's live counters (not written). */
  reading(lease: LeaseRecord, peer: PeerStatus | undefined): MeterUpdate {
    const meter = peer ? readMeter(lease.meter, peer) : lease.meter;
    return { meter, lastHandshakeAt: peer?.lastHandshakeAt?.getTime() ?? lease.lastHandshakeAt };
  }

  /** The lease's usage right now. */
  async usage(lease: LeaseRecord): Promise<Usage> {
    const peer =
      lease.state === "active"
        ? (await this.driver.listPeers()).find((p) => p.publicKey === lease.publicKey)
        : undefined;
    const { meter, lastHandshakeAt } = this.reading(lease, peer);
    return { ...meterTotals(meter), lastHandshakeAt };
  }

  /** One read of every peer, folded into every active lease in one transaction. */
  async poll(now: number): Promise<number> {
    const peers = new Map((await this.driver.listPeers()).map((peer) => [peer.publicKey, peer]));
    const updates = this.store.activeLeases(now).flatMap((lease) => {
      const peer = peers.get(lease.publicKey);
      return peer ? [{ id: lease.id, update: this.reading(lease, peer) }] : [];
    });
    this.store.writeMeters(updates);
    return updates.length;
  }

  /** The last reading of a peer that is about to disappear: its generation ends here. */
  finalReading(lease: LeaseRecord, peer: PeerStatus | undefined): MeterUpdate {
    const { meter, lastHandshakeAt } = this.reading(lease, peer);
    return { meter: endGeneration(meter), lastHandshakeAt };
  }

  /** The device was recreated: every peer's counters restart, so every active lease starts a generation. */
  restartGenerations(now: number): void {
    this.store.writeMeters(
      this.store
        .activeLeases(now)
        .map((lease) => ({ id: lease.id, update: { meter: endGeneration(lease.meter), lastHandshakeAt: null } })),
    );
  }
}
