import type { Clock, TimerHandle } from "@wg402/shared/runtime";
import type { Logger } from "pino";
import type { LeaseRecord, LeaseStore } from "../ledger/leaseStore.ts";
import { DataWatch, type DataWatchPolicy } from "./dataWatch.ts";
import type { DataReading, Meter } from "./meter.ts";
import { meterTotals } from "./readMeter.ts";

/** Leases due this close to a wake are read with it rather than wake the meter again. */
const DUE_SLACK_MS = 5;
/** Beyond this many leases due at once, one scan of the ledger costs less than a lookup each. */
const SCAN_ABOVE = 64;

export type DataMeterParameters = {
  store: LeaseStore;
  meter: Meter;
  clock: Clock;
  log: Logger;
  policy: DataWatchPolicy;
  /** These leases used their allowance and now run out in the ledger: cut them (an expiry batch). */
  cut: () => Promise<void>;
};

/**
 * The adaptive half of the meter, for leases limited by data: after every reading it asks the
 * {@link DataWatch} when each must be read next, arms one timer for the earliest, and at each wake reads the
 * device once for all of them. A lease that reached its allowance runs out in the ledger at once and is cut
 * like an expiry (traffic stopped, final reading, peer removed).
 */
export class DataMeter {
  private readonly p: DataMeterParameters;
  private readonly watch: DataWatch;
  private timer: TimerHandle | undefined;
  private armedFor: number | undefined;
  private checking: Promise<void> | undefined;
  private running = false;

  constructor(parameters: DataMeterParameters) {
    this.p = parameters;
    this.watch = new DataWatch(parameters.policy);
  }

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** Leases being watched (for metrics and tests). */
  get watched(): number {
    return this.watch.size;
  }

  /**
   * Reads the data leases whose read is due (`all`: every active one, as at start-up), cuts those past their
   * allowance and re-arms. Calls coalesce.
   */
  check(all = false): Promise<void> {
    this.checking ??= this.checkOnce(all).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** A lease was activated or renewed: a data lease's next read is planned again, without reading the device. */
  leaseChanged(lease: LeaseRecord): void {
    if (lease.bytesAllowed === null || lease.state !== "active") return;
    const { bytesUp, bytesDown } = meterTotals(lease.meter);
    this.watch.allowanceChanged({
      id: lease.id,
      used: bytesUp + bytesDown,
      allowed: lease.bytesAllowed,
      at: this.p.clock.now(),
    });
    this.arm();
  }

  /** The regular poll's readings of data leases: observed as they are, with no scan or read of its own. */
  async afterPoll(readings: DataReading[]): Promise<void> {
    // The poll saw every running data lease with a peer; the others waiting for a read stay, the rest ended.
    const keep = new Set([...readings.map((r) => r.lease.id), ...this.watch.dueAt(Number.POSITIVE_INFINITY)]);
    this.watch.retain(keep);
    await this.observe(readings, this.p.clock.now());
  }

  private async checkOnce(all: boolean): Promise<void> {
    const started = performance.now();
    await this.checkLeases(all);
    // The whole check is the cost the read budget bounds: the read, the ledger and the fold.
    this.watch.readCost(performance.now() - started);
  }

  private async checkLeases(all: boolean): Promise<void> {
    const now = this.p.clock.now();
    const due = all ? [] : this.watch.dueAt(now + DUE_SLACK_MS);
    let leases: LeaseRecord[];
    if (all || due.length > SCAN_ABOVE) {
      const wanted = new Set(due);
      leases = this.p.store.dataLeases(now);
      if (all) this.watch.retain(new Set(leases.map((lease) => lease.id)));
      else leases = leases.filter((lease) => wanted.has(lease.id));
    } else {
      // Only the few that asked: a lease that ended meanwhile is forgotten.
      leases = [];
      for (const id of due) {
        const lease = this.p.store.getLease(id);
        if (lease?.state === "active" && lease.bytesAllowed !== null && lease.expiresAt > now) leases.push(lease);
        else this.watch.forget(id);
      }
    }
    if (leases.length === 0) {
      this.arm();
      return;
    }
    const listing = await this.p.meter.sharedRead();
    const at = this.p.clock.now();
    const peers = listing.pick(leases.map((lease) => lease.publicKey));
    const folded = this.p.meter.fold(leases, peers, listing.epoch);
    const seen = new Set(folded.map((f) => f.lease.id));
    // A lease whose peer is not on the device yet (just activated) is watched from its ledger reading.
    const unread = leases.filter((lease) => !seen.has(lease.id)).map((lease) => ({ lease, meter: lease.meter }));
    await this.observe([...folded, ...unread], at);
  }

  private async observe(readings: DataReading[], at: number): Promise<void> {
    const spent: string[] = [];
    for (const { lease, meter } of readings) {
      const { bytesUp, bytesDown } = meterTotals(meter);
      const allowed = lease.bytesAllowed ?? 0;
      if (this.watch.observe({ id: lease.id, used: bytesUp + bytesDown, allowed, at })) spent.push(lease.id);
    }
    const cut = spent.length > 0 ? this.p.store.exhaust(spent, at) : [];
    if (cut.length > 0) {
      this.p.log.info({ leases: cut.length, first: cut[0] }, "data allowance used; cutting");
      await this.p.cut();
    }
    this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.watch.nextDue();
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.armedFor !== undefined && this.armedFor <= next && this.timer !== undefined) return;
    this.disarm();
    this.armedFor = next;
    this.timer = this.p.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.armedFor = undefined;
        this.check().catch((err: unknown) => {
          this.p.log.error({ err }, "data meter check failed");
          this.arm();
        });
      },
      Math.max(0, next - this.p.clock.now()),
    );
  }

  private disarm(): void {
    if (this.timer !== undefined) this.p.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }
}
