// Reads the tunnel's evidence over time and says when its state changes: the device every few seconds (a
// UAPI `get=1` or `wg show dump`, cheap and local), or, for export, whatever the caller feeds it from the
// node's lease. Also waits for the first handshake, bounded by a deadline.
import type { Clock, TimerHandle } from "@wg402/shared/runtime";
import type { PeerReading } from "../tunnel/types.ts";
import type { LinkMonitor, LinkState, LinkStatus } from "./linkMonitor.ts";

export type LinkWatchOptions = {
  monitor: LinkMonitor;
  clock: Clock;
  /** Fresh evidence: the device's peer, or the node's view of the lease. */
  read: () => Promise<PeerReading | null>;
  /** How often `start()` reads on its own; 0 leaves the reading to `feed` and `check`. */
  intervalMs: number;
  onChange: (state: LinkState, previous: LinkState) => void;
};

export type HandshakeOutcome = "connected" | "timeout" | "cancelled";

export class LinkWatch {
  private readonly o: LinkWatchOptions;
  private timer: TimerHandle | null = null;
  private running = false;
  /** The last read that failed, for saying why evidence is missing. */
  lastError: string | null = null;

  constructor(options: LinkWatchOptions) {
    this.o = options;
  }

  status(): LinkStatus {
    return this.o.monitor.status(this.o.clock.now());
  }

  get state(): LinkState {
    return this.o.monitor.state;
  }

  /** Reads now, takes the reading and reports a change of state. A failed read is no evidence either way. */
  async check(): Promise<LinkState> {
    let reading: PeerReading | null = null;
    try {
      reading = await this.o.read();
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    }
    return this.feed(reading);
  }

  /** A reading made elsewhere (the node's lease, read by the status poll). */
  feed(reading: PeerReading | null): LinkState {
    const now = this.o.clock.now();
    const previous = this.o.monitor.state;
    this.o.monitor.sample(reading, now);
    const state = this.o.monitor.evaluate(now);
    if (state !== previous) this.o.onChange(state, previous);
    return state;
  }

  /** Polls every `pollMs` until the first handshake, `deadline` (ms since the epoch) or `cancelled()`. */
  async established(deadline: number, pollMs: number, cancelled: () => boolean): Promise<HandshakeOutcome> {
    for (;;) {
      if (cancelled()) return "cancelled";
      if ((await this.check()) === "connected") return "connected";
      if (cancelled()) return "cancelled";
      const left = deadline - this.o.clock.now();
      if (left <= 0) return "timeout";
      await new Promise<void>((resolve) => this.o.clock.setTimeout(resolve, Math.min(pollMs, left)));
    }
  }

  /** Reads every `intervalMs` until `stop()`; nothing when the interval is 0. */
  start(): void {
    if (this.o.intervalMs <= 0 || this.running) return;
    this.running = true;
    const tick = async () => {
      this.timer = null;
      if (!this.running) return;
      await this.check();
      if (this.running) this.timer = this.o.clock.setTimeout(() => void tick(), this.o.intervalMs);
    };
    this.timer = this.o.clock.setTimeout(() => void tick(), this.o.intervalMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
