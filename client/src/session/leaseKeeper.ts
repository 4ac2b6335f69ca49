// Keeps a connected session's lease: renews it (only while the tunnel has fresh evidence), or lets it run
// out; reads the node's numbers and follows renewals made elsewhere; turns a quiet tunnel into "stalled"
// (nothing paid) and back; counts down to the end the spend cap sets. It says when the lease is over; the
// session then engages the kill switch.
import { ErrorCode, type Lease } from "@wg402/shared";
import type { Clock, TimerHandle } from "@wg402/shared/runtime";
import { isClientError } from "../errors.ts";
import type { LeaseClient } from "../node/leaseClient.ts";
import type { LinkEvidence } from "../tunnel/types.ts";
import type { AutoRenewer } from "./autoRenewer.ts";
import { CapCountdown, capEndsAt } from "./capCountdown.ts";
import type { DataRenewer } from "./dataRenewer.ts";
import { type LinkState, readingFromNode } from "./linkMonitor.ts";
import type { LinkWatch } from "./linkWatch.ts";
import { createDataRenewer, createSessionRenewer } from "./sessionRenewer.ts";
import type { SessionEndCause, SessionEvents, SessionStatus, VpnSessionOptions } from "./sessionTypes.ts";

/** The lease as the session knows it, shared with the session and updated here. */
export type HeldLease = { lease: Lease; expiresAt: number };

type Emit = <K extends keyof SessionEvents>(event: K, payload: SessionEvents[K]) => void;

export type LeaseKeeperOptions = {
  client: LeaseClient;
  evidence: LinkEvidence;
  link: LinkWatch;
  clock: Clock;
  held: HeldLease;
  autoRenew: boolean;
  /** What each renewal buys: minutes (time and hybrid leases), megabytes (data and hybrid leases). */
  renewMinutes: number;
  renewMegabytes: number;
  /** The lease's bytes up + down so far, for renewing by data. */
  usedBytes: () => Promise<number | null>;
  statusIntervalMs: number;
  capWarningMs: number;
  renewal: VpnSessionOptions["renewal"];
  initialLatencyMs: number;
  emit: Emit;
  status: () => SessionStatus;
  persist: () => Promise<void>;
  /** The lease is over; called once. */
  onEnd: (cause: SessionEndCause) => void;
};

export class LeaseKeeper {
  private readonly o: LeaseKeeperOptions;
  private readonly countdown: CapCountdown;
  private renewer: AutoRenewer | null = null;
  private dataRenewer: DataRenewer | null = null;
  private expiryTimer: TimerHandle | null = null;
  private pollTimer: TimerHandle | null = null;
  private running = false;
  private stalledValue = false;
  private capReached = false;

  constructor(options: LeaseKeeperOptions) {
    this.o = options;
    this.countdown = new CapCountdown({
      clock: options.clock,
      warningMs: options.capWarningMs,
      onEnding: (at) => {
        const { cap, committed } = options.client.spend();
        options.emit("capEnding", { leaseId: options.held.lease.id, capEndsAt: at, cap, committed });
      },
    });
  }

  get stalled(): boolean {
    return this.stalledValue;
  }

  get renewals(): number {
    return (this.renewer?.renewals ?? 0) + (this.dataRenewer?.renewals ?? 0);
  }

  get dataRate(): number | null {
    return this.dataRenewer?.rate ?? null;
  }

  get nextRenewalAt(): number | null {
    return this.renewer?.nextRenewalAt ?? null;
  }

  /** When the spend cap ends the session, or null when it will not. */
  capEndsAt(): number | null {
    const { client, held } = this.o;
    const spend = client.spend();
    return capEndsAt({
      autoRenew: this.o.autoRenew,
      cap: spend.cap,
      committed: spend.committed,
      renewalAmount: client.priceFor(this.o.renewMinutes),
      renewalMs: this.o.renewMinutes * client.node.secondsPerMinute * 1000,
      expiresAt: held.expiresAt,
      capReached: this.capReached,
    });
  }

  start(): void {
    this.running = true;
    const { emit } = this.o;
    const { plan } = this.o.held.lease;
    if (this.o.autoRenew && plan !== "time" && this.o.renewMegabytes > 0) this.startDataRenewer();
    if (this.o.autoRenew && plan !== "data") {
      const renewer = this.createRenewer();
      this.renewer = renewer;
      renewer.on("scheduled", (e) => emit("scheduled", e));
      renewer.on("renewed", (e) => {
        emit("renewed", { ...e, spend: this.o.client.spend() });
        this.armCountdown();
      });
      renewer.on("lowBalance", (e) => emit("lowBalance", e));
      renewer.on("capReached", (e) => {
        this.capReached = true;
        emit("capReached", e);
      });
      renewer.on("renewalFailed", (e) => emit("renewalFailed", e));
      renewer.on("expired", (e) => this.end(e.cause));
      renewer.start();
    } else {
      this.scheduleExpiry();
    }
    this.o.link.start();
    this.armCountdown();
    this.schedulePoll();
  }

  /** Stops every timer and the renewer; a renewal already in flight finishes. Idempotent. */
  stop(): void {
    this.running = false;
    this.renewer?.stop();
    this.dataRenewer?.stop();
    this.o.link.stop();
    this.countdown.stop();
    if (this.expiryTimer) this.o.clock.clearTimeout(this.expiryTimer);
    if (this.pollTimer) this.o.clock.clearTimeout(this.pollTimer);
    this.expiryTimer = null;
    this.pollTimer = null;
  }

  /** The link's evidence changed: a quiet tunnel stops paying, a recovered one pays again. */
  linkChanged(state: LinkState, previous: LinkState): void {
    if (!this.running) return;
    const { held, link, emit } = this.o;
    const event = { leaseId: held.lease.id, link: link.status(), expiresAt: held.expiresAt };
    if (state === "stalled") {
      this.stalledValue = true;
      this.renewer?.hold();
      emit("stalled", event);
    } else if (state === "connected" && previous === "stalled") {
      this.stalledValue = false;
      this.renewer?.resume();
      emit("recovered", event);
    }
  }

  private startDataRenewer(): void {
    const { client, held, emit } = this.o;
    const megabytes = this.o.renewMegabytes;
    const renewer = createDataRenewer({
      client,
      lease: held.lease,
      megabytes,
      clock: this.o.clock,
      initialLatencyMs: this.o.initialLatencyMs,
      used: this.o.usedBytes,
      renewed: async (lease) => {
        held.lease = lease;
        await this.o.persist();
      },
    });
    this.dataRenewer = renewer;
    renewer.on("dataRenewed", (e) => emit("dataRenewed", { ...e, spend: client.spend() }));
    renewer.on("capReached", (e) => {
      this.capReached = true;
      emit("capReached", e);
    });
    renewer.on("renewalFailed", (e) => emit("renewalFailed", e));
    renewer.start();
  }

  private createRenewer(): AutoRenewer {
    const { client, held } = this.o;
    return createSessionRenewer({
      client,
      leaseId: held.lease.id,
      expiresAt: held.expiresAt,
      minutes: this.o.renewMinutes,
      clock: this.o.clock,
      initialLatencyMs: this.o.initialLatencyMs,
      renewal: this.o.renewal,
      renewed: async (lease) => {
        held.lease = lease;
        held.expiresAt = Math.max(held.expiresAt, Date.parse(lease.expiresAt));
        await this.o.persist();
        return held.expiresAt;
      },
      // Money only for a tunnel with fresh evidence, read right before paying.
      ready: async () => (await this.o.link.check()) === "connected",
    });
  }

  private end(cause: SessionEndCause): void {
    if (!this.running) return;
    this.stop();
    this.o.onEnd(cause);
  }

  private armCountdown(): void {
    this.countdown.arm(this.capEndsAt());
  }

  private scheduleExpiry(): void {
    const { clock, held } = this.o;
    if (this.expiryTimer) clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = clock.setTimeout(() => {
      this.expiryTimer = null;
      this.end("not_renewing");
    }, held.expiresAt - clock.now());
  }

  private schedulePoll(): void {
    this.pollTimer = this.o.clock.setTimeout(() => void this.poll(), this.o.statusIntervalMs);
  }

  private async poll(): Promise<void> {
    this.pollTimer = null;
    if (!this.running) return;
    const { client, held, emit } = this.o;
    try {
      const lease = await client.status(held.lease.id);
      if (!this.running) return;
      held.lease = lease;
      if (this.o.evidence === "node") this.o.link.feed(readingFromNode(lease.usage));
      const expiresAt = Date.parse(lease.expiresAt);
      if (expiresAt > held.expiresAt) this.extendedElsewhere(expiresAt);
      emit("status", this.o.status());
      if (lease.state === "closed") return this.end("lease_gone");
      // A data allowance used up ends the lease at the node before its time does, and there.
      if (lease.state === "expired" && lease.plan !== "time") {
        held.expiresAt = Math.min(held.expiresAt, expiresAt);
        return this.end(this.o.autoRenew ? "lease_gone" : "not_renewing");
      }
    } catch (error) {
      if (isClientError(error, ErrorCode.lease_not_found)) return this.end("lease_gone");
      const message = isClientError(error) ? error.shortMessage : String(error);
      emit("warning", { message: `status: ${message}`, code: isClientError(error) ? error.code : "unknown" });
    }
    if (this.running) this.schedulePoll();
  }

  /** Renewed by someone else (`wg402 renew`): follow the node's expiry, and say so. */
  private extendedElsewhere(expiresAt: number): void {
    const { held } = this.o;
    held.expiresAt = expiresAt;
    this.renewer?.updateExpiry(expiresAt);
    if (!this.renewer) this.scheduleExpiry();
    this.armCountdown();
    void this.o.persist().catch(() => undefined);
    this.o.emit("extended", { leaseId: held.lease.id, expiresAt, nextRenewalAt: this.nextRenewalAt });
  }
}
