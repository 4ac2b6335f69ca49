import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { PeerStatus, WireguardDriver } from "@wg402/wireguard";
import type { LeaseRecord, LeaseStore, MeterUpdate, Usage } from "../ledger/leaseStore.ts";
import { endGeneration, type MeterState, meterTotals, readMeter } from "./readMeter.ts";

/** Leases folded per ledger transaction in a poll; the event loop (and a due expiry) gets a turn between. */
export const POLL_CHUNK = 500;
/**
 * A poll gives way while final readings (expiry batches, closes) are going on: until none has ended for this
 * long, it neither queues a full device read in front of them nor spends the event loop folding one.
 */
export const EXPIRY_WAVE_MS = 500;
/** ... but for no longer than this in all: the meter falls at most this far behind its schedule. */
export const POLL_MAX_DEFER_MS = 5_000;

/** A lease's meter as a reading left it. */
export type DataReading = { lease: LeaseRecord; meter: MeterState };

/** One full read of the device, and the device generation it was taken in. */
export class DeviceListing {
  readonly list: PeerStatus[];
  readonly epoch: number;
  #byKey: Map<string, PeerStatus> | undefined;

  constructor(list: PeerStatus[], epoch: number) {
    this.list = list;
    this.epoch = epoch;
  }

  /** Every peer by public key (built on first use). */
  get peers(): Map<string, PeerStatus> {
    this.#byKey ??= new Map(this.list.map((peer) => [peer.publicKey, peer]));
    return this.#byKey;
  }

  /** Just these peers by public key: a few lookups cost less than indexing the whole device. */
  pick(publicKeys: Iterable<string>): Map<string, PeerStatus> {
    if (this.#byKey) return this.#byKey;
    const wanted = new Set(publicKeys);
    const found = new Map<string, PeerStatus>();
    for (const peer of this.list) if (wanted.has(peer.publicKey)) found.set(peer.publicKey, peer);
    return found;
  }
}

/**
 * Reads WireGuard's per-peer counters into the ledger. Polled (about every 10 s), and read once more right
 * before a peer goes away so that no billed byte is lost.
 *
 * Every full read of the device goes through {@link readPeers}. A poll gives way to final readings: while
 * expiry batches (or closes) are reading the device, it waits (up to {@link POLL_MAX_DEFER_MS}), so the
 * meter neither holds the device nor the event loop while leases are due. It folds a read already in flight
 * rather than queue another, writes in chunks, yielding (and giving way again) in between, and never writes
 * a lease whose final reading was taken meanwhile: that reading is newer and stays.
 */
export class Meter {
  private readonly store: LeaseStore;
  private readonly driver: WireguardDriver;
  /** Bumped when the device was recreated: readings taken before describe counters that no longer exist. */
  private epoch = 0;
  private inFlight: Promise<DeviceListing> | undefined;
  /** Reads for final readings in flight, and performance.now() when the last one ended. */
  private finalReads = 0;
  private finalReadEndedAt = Number.NEGATIVE_INFINITY;
  private polling: Promise<number> | undefined;
  /** Leases given a final reading since the last poll ended; a poll in progress must not overwrite them. */
  private readonly finalized = new Set<string>();
  /** The last poll's readings of leases limited by data, for the data meter (no second scan or read). */
  lastDataReadings: DataReading[] = [];

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

  /** One full read of the device; a poll arriving meanwhile shares it. `final`: for final readings. */
  readPeers(options: { final?: boolean } = {}): Promise<DeviceListing> {
    const epoch = this.epoch;
    const read = this.driver.listPeers().then((list) => new DeviceListing(list, epoch));
    this.inFlight = read;
    if (options.final) this.finalReads++;
    const done = () => {
      if (this.inFlight === read) this.inFlight = undefined;
      if (!options.final) return;
      this.finalReads--;
      this.finalReadEndedAt = performance.now();
    };
    read.then(done, done);
    return read;
  }

  /** The read in flight, if any, else a new one: callers that only need a recent read share it. */
  sharedRead(): Promise<DeviceListing> {
    return this.inFlight ?? this.readPeers();
  }

  /** Waits while final readings are going on (see {@link EXPIRY_WAVE_MS}), but not past `until`. */
  private async giveWay(until: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      const quietAt = this.finalReadEndedAt + EXPIRY_WAVE_MS;
      if ((this.finalReads === 0 && now >= quietAt) || now >= until) return;
      await sleep(Math.max(10, Math.min(quietAt - now, until - now)));
    }
  }

  /**
   * One read of every peer (or the read already in flight), folded into every active lease whose reading
   * changed, a chunk per transaction. Gives way to final readings first (see {@link EXPIRY_WAVE_MS}). Polls
   * do not overlap: a call during a poll joins it. Returns how many leases were written.
   */
  poll(now: number): Promise<number> {
    this.polling ??= this.pollOnce(now).finally(() => {
      this.polling = undefined;
      this.finalized.clear();
    });
    return this.polling;
  }

  private async pollOnce(requestedAt: number): Promise<number> {
    const deferUntil = performance.now() + POLL_MAX_DEFER_MS;
    await this.giveWay(deferUntil);
    const { peers, epoch } = await this.sharedRead();
    this.lastDataReadings = [];
    // Leases that ran out while this poll gave way are still listed; those expired meanwhile are skipped below
    // (finalized), and the rest get their final reading from the expiry batch that is coming.
    const leases = this.store.activeLeases(requestedAt);
    let written = 0;
    for (let start = 0; start < leases.length; start += POLL_CHUNK) {
      if (start > 0) {
        await yieldToEventLoop();
        await this.giveWay(deferUntil);
      }
      // The device was recreated after this read: its counters describe peers that are gone.
      if (epoch !== this.epoch) break;
      const updates: { id: string; update: MeterUpdate }[] = [];
      for (const lease of leases.slice(start, start + POLL_CHUNK)) {
        const peer = peers.get(lease.publicKey);
        if (!peer || this.finalized.has(lease.id)) continue;
        const update = this.reading(lease, peer);
        if (lease.bytesAllowed !== null) this.lastDataReadings.push({ lease, meter: update.meter });
        if (!changed(lease, update)) continue;
        updates.push({ id: lease.id, update });
      }
      this.store.writeMeters(updates);
      written += updates.length;
    }
    return written;
  }

  /**
   * Folds a device read into these leases now, and writes those whose reading changed (not a lease given its
   * final reading meanwhile, nor anything from a device generation that is gone). Returns each lease's meter.
   */
  fold(leases: LeaseRecord[], peers: Map<string, PeerStatus>, epoch: number): DataReading[] {
    if (epoch !== this.epoch) return [];
    const updates: { id: string; update: MeterUpdate }[] = [];
    const folded = leases.flatMap((lease) => {
      const peer = peers.get(lease.publicKey);
      if (!peer || this.finalized.has(lease.id)) return [];
      const update = this.reading(lease, peer);
      if (changed(lease, update)) updates.push({ id: lease.id, update });
      return [{ lease, meter: update.meter }];
    });
    this.store.writeMeters(updates);
    return folded;
  }

  /** The last reading of a peer that is about to disappear: its generation ends here. */
  finalReading(lease: LeaseRecord, peer: PeerStatus | undefined): MeterUpdate {
    this.finalized.add(lease.id);
    const { meter, lastHandshakeAt } = this.reading(lease, peer);
    return { meter: endGeneration(meter), lastHandshakeAt };
  }

  /** The device was recreated: every peer's counters restart, so every active lease starts a generation. */
  restartGenerations(now: number): void {
    this.epoch++;
    this.store.writeMeters(
      this.store
        .activeLeases(now)
        .map((lease) => ({ id: lease.id, update: { meter: endGeneration(lease.meter), lastHandshakeAt: null } })),
    );
  }
}

function changed(lease: LeaseRecord, update: MeterUpdate): boolean {
  const before = lease.meter;
  const after = update.meter;
  return (
    after.seenUp !== before.seenUp ||
    after.seenDown !== before.seenDown ||
    after.carriedUp !== before.carriedUp ||
    after.carriedDown !== before.carriedDown ||
    update.lastHandshakeAt !== lease.lastHandshakeAt
  );
}
