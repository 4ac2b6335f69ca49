import type { Clock, TimerHandle } from "@wg402/shared/runtime";
import type { Logger } from "pino";
import type { LeaseStore } from "../ledger/leaseStore.ts";
import { DataWatch, type DataWatchPolicy } from "./dataWatch.ts";
import type { DataReading, Meter } from "./meter.ts";
import { meterTotals } from "./readMeter.ts";

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

  /** Reads every active data lease now, cuts those past their allowance and re-arms. Calls coalesce. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** The regular poll's readings of data leases: observed as they are, with no scan or read of its own. */
  async afterPoll(readings: DataReading[]): Promise<void> {
    await this.observe(readings, this.p.clock.now());
  }

  private async checkOnce(): Promise<void> {
    const leases = this.p.store.dataLeases(this.p.clock.now());
    this.watch.retain(new Set(leases.map((lease) => lease.id)));
    if (leases.length === 0) {
      this.arm();
      return;
    }
    const started = performance.now();
    const listing = await this.p.meter.sharedRead();
    this.watch.readCost(performance.now() - started);
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
