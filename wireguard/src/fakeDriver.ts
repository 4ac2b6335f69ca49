import { isValidKey } from "./keys.ts";
import { isEmptyChange, normalizePeerChange } from "./normalizePeerChange.ts";
import { type PeerChange, type PeerStatus, type WireguardDriver, WireguardError } from "./types.ts";

type FakePeer = {
  allowedIps: string[];
  keepalive: number;
  endpoint: string | null;
  rxBytes: number;
  txBytes: number;
  lastHandshakeAt: Date | null;
};

export type FakeWrite = { op: "upsert" | "remove"; publicKey: string };

/**
 * An in-memory device that behaves like wireguard-go where it matters to the agent: a removed and re-added
 * peer starts from zero counters, an allowed IP given to a second peer silently moves to it, removing an
 * absent peer succeeds, and a value the device would refuse fails with errno -22 before anything changes.
 */
export class FakeDriver implements WireguardDriver {
  readonly kind = "fake";
  /** How often each method was called, rejected calls included. */
  readonly calls = { listPeers: 0, apply: 0, close: 0 };
  /** Every peer written to the device, in order; an unchanged peer should never show up here. */
  readonly writes: FakeWrite[] = [];
  readonly #peers = new Map<string, FakePeer>();
  readonly #owners = new Map<string, string>();
  #failures: Error[] = [];
  #closed = false;

  async listPeers(): Promise<PeerStatus[]> {
    this.calls.listPeers++;
    this.#beforeCall();
    return [...this.#peers].map(([publicKey, peer]) => ({
      publicKey,
      allowedIps: [...peer.allowedIps],
      endpoint: peer.endpoint,
      rxBytes: peer.rxBytes,
      txBytes: peer.txBytes,
      lastHandshakeAt: peer.lastHandshakeAt === null ? null : new Date(peer.lastHandshakeAt),
    }));
  }

  async apply(change: PeerChange): Promise<void> {
    this.calls.apply++;
    this.#beforeCall();
    const normalized = normalizePeerChange(change);
    if (isEmptyChange(normalized)) return;
    for (const publicKey of normalized.remove) {
      this.writes.push({ op: "remove", publicKey });
      this.#remove(publicKey);
    }
    for (const { publicKey, allowedIps, persistentKeepaliveSeconds } of normalized.upsert) {
      this.writes.push({ op: "upsert", publicKey });
      const peer = this.#peers.get(publicKey) ?? this.#create(publicKey);
      for (const ip of peer.allowedIps) this.#owners.delete(ip);
      peer.allowedIps = [];
      for (const ip of allowedIps) {
        const owner = this.#owners.get(ip);
        if (owner !== undefined && owner !== publicKey) {
          const previous = this.#peers.get(owner);
          if (previous) previous.allowedIps = previous.allowedIps.filter((other) => other !== ip);
        }
        this.#owners.set(ip, publicKey);
        peer.allowedIps.push(ip);
      }
      if (persistentKeepaliveSeconds !== undefined) peer.keepalive = persistentKeepaliveSeconds;
    }
  }

  async close(): Promise<void> {
    this.calls.close++;
    this.#closed = true;
  }

  /** Writes to the device for one peer (upserts and removes). */
  writesFor(publicKey: string): number {
    return this.writes.filter((write) => write.publicKey === publicKey).length;
  }

  /** The interval last set for a peer; PeerStatus does not carry it. */
  keepaliveOf(publicKey: string): number | undefined {
    return this.#peers.get(publicKey)?.keepalive;
  }

  /** Counts traffic as the server sees it: rx is what the peer sent. */
  addTraffic(publicKey: string, rxBytes: number, txBytes: number): void {
    const peer = this.#existing(publicKey);
    peer.rxBytes += rxBytes;
    peer.txBytes += txBytes;
  }

  handshake(publicKey: string, at: Date, endpoint = "198.51.100.7:51820"): void {
    const peer = this.#existing(publicKey);
    peer.lastHandshakeAt = new Date(at);
    peer.endpoint = endpoint;
  }

  /** Like wireguard-go crashing and coming back empty: every peer and counter is gone. */
  restart(): void {
    this.#peers.clear();
    this.#owners.clear();
  }

  /** The next listPeers or apply rejects with this error (queued in order), without touching state. */
  failNext(error: Error = new WireguardError("fake device unreachable", { code: "io" })): void {
    this.#failures.push(error);
  }

  #beforeCall(): void {
    if (this.#closed) throw new WireguardError("FakeDriver is closed", { code: "closed" });
    const failure = this.#failures.shift();
    if (failure) throw failure;
  }

  #create(publicKey: string): FakePeer {
    const peer: FakePeer = {
      allowedIps: [],
      keepalive: 0,
      endpoint: null,
      rxBytes: 0,
      txBytes: 0,
      lastHandshakeAt: null,
    };
    this.#peers.set(publicKey, peer);
    return peer;
  }

  #remove(publicKey: string): void {
    const peer = this.#peers.get(publicKey);
    if (!peer) return;
    for (const ip of peer.allowedIps) this.#owners.delete(ip);
    this.#peers.delete(publicKey);
  }

  #existing(publicKey: string): FakePeer {
    const peer = this.#peers.get(publicKey);
    if (!peer) throw new Error(`FakeDriver: no peer ${isValidKey(publicKey) ? publicKey : JSON.stringify(publicKey)}`);
    return peer;
  }
}
