import type { Ledger } from "@wg402/shared/node";
import { ipToInt, type Subnet } from "./ipv4.ts";

/**
 * Which client addresses are free, kept in memory and rebuilt from the ledger at start-up; the ledger's
 * unique constraints stay the authority. A released address cools down before anyone else gets it, so a
 * late packet for the old peer never reaches a new one.
 */
export class AddressPool {
  private readonly subnet: Subnet;
  private readonly cooldownMs: number;
  private readonly held = new Set<number>();
  private readonly coolingUntil = new Map<number, number>();
  private cursor: number;

  constructor(subnet: Subnet, cooldownMs: number) {
    this.subnet = subnet;
    this.cooldownMs = cooldownMs;
    this.cursor = subnet.firstClient;
  }

  /** The pool as the ledger's allocations leave it: held addresses, and released ones still cooling down. */
  static fromLedger(ledger: Ledger, subnet: Subnet, cooldownMs: number): AddressPool {
    const pool = new AddressPool(subnet, cooldownMs);
    for (const row of ledger.stmt("SELECT address, lease_id, released_at FROM allocations").all()) {
      const address = ipToInt(row.address as string);
      if (row.lease_id !== null) pool.markHeld(address);
      else if (row.released_at !== null) pool.markReleased(address, Number(row.released_at));
    }
    return pool;
  }

  get size(): number {
    return this.subnet.size;
  }

  /** Addresses that are neither held nor cooling down at `now`. */
  available(now: number): number {
    let cooling = 0;
    for (const [address, until] of this.coolingUntil) {
      if (until > now) cooling++;
      else this.coolingUntil.delete(address);
    }
    return this.subnet.size - this.held.size - cooling;
  }

  markHeld(address: number): void {
    this.held.add(address);
    this.coolingUntil.delete(address);
  }

  markReleased(address: number, releasedAt: number): void {
    this.held.delete(address);
    if (this.cooldownMs > 0) this.coolingUntil.set(address, releasedAt + this.cooldownMs);
  }

  /** Frees an address that never carried traffic (a payment that failed), with no cooldown. */
  markUnused(address: number): void {
    this.held.delete(address);
    this.coolingUntil.delete(address);
  }

  /** The next free address after the last one handed out, or undefined when the pool is exhausted. */
  next(now: number): number | undefined {
    const { firstClient, lastClient, size } = this.subnet;
    for (let i = 0; i < size; i++) {
      const candidate = this.cursor;
      this.cursor = candidate >= lastClient ? firstClient : candidate + 1;
      if (this.held.has(candidate)) continue;
      const until = this.coolingUntil.get(candidate);
      if (until !== undefined && until > now) continue;
      return candidate;
    }
    return undefined;
  }
}
