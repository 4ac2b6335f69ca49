import type { UsageReceipt } from "@wg402/shared";
import { ErrorCode } from "@wg402/shared";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import { generateKeyPair } from "@wg402/wireguard";
import { ClientError, isClientError } from "../errors.ts";
import type { CreatedLease, LeaseClient } from "../node/leaseClient.ts";
import { ownCounters } from "../receipts/ownCounters.ts";
import { TypedEmitter } from "../runtime/typedEmitter.ts";
import type { PeerReading, TunnelDriver, TunnelHandle } from "../tunnel/types.ts";
import { type HeldLease, LeaseKeeper } from "./leaseKeeper.ts";
import { LinkMonitor } from "./linkMonitor.ts";
import { LinkWatch } from "./linkWatch.ts";
import { noHandshakeError } from "./noHandshake.ts";
import { sessionClosed } from "./sessionClosed.ts";
import { type CapSource, planSession, type SessionPlan } from "./sessionPlan.ts";
import { clearSessionStateOf, readSessionState, sessionStateOf, writeSessionState } from "./sessionState.ts";
import { readEvidenceOf, sessionStatusOf, usedBytesOf } from "./sessionStatus.ts";
import type {
  SessionClosed,
  SessionEndCause,
  SessionEvents,
  SessionPhase,
  SessionStatus,
  VpnSessionOptions,
} from "./sessionTypes.ts";
import { bringUpTunnel, closeUnusedLease } from "./tunnelStart.ts";

/** Not "wg402", which is the agent's default: a node and a client can share a machine. */
export const DEFAULT_INTERFACE = "wg402-client";
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** export: the user first imports the config into their WireGuard app (or scans its QR code). */
export const EXPORT_HANDSHAKE_TIMEOUT_MS = 120_000;
const DEFAULT_CAP_WARNING_MS = 120_000;

type Connected = SessionEvents["connected"];

/**
 * One paid tunnel from purchase to teardown: checks everything before paying, buys the lease with a fresh
 * WireGuard key, brings the driver up and is *connected* only once WireGuard has handshaken (otherwise it
 * closes the lease and says why). While connected a LeaseKeeper renews (when asked) only a tunnel with fresh
 * evidence; a quiet one is *stalled* and pays nothing. When the lease ends the kill switch engages. `stop()`
 * closes the lease and takes the tunnel down. UI-agnostic: the CLI and the desktop render its events and
 * `status()`.
 */
export class VpnSession extends TypedEmitter<SessionEvents> {
  readonly client: LeaseClient;
  readonly driver: TunnelDriver;
  readonly interfaceName: string;
  /** Resolves when the lease has ended (not when the session was stopped). */
  readonly ended: Promise<{ cause: SessionEndCause; expiresAt: number }>;
  private readonly o: VpnSessionOptions;
  private readonly clock: Clock;
  private readonly link: LinkWatch;
  private resolveEnded: (value: { cause: SessionEndCause; expiresAt: number }) => void = () => undefined;
  private phase: SessionPhase = "idle";
  private held: HeldLease | null = null;
  private leaseToken: string | null = null;
  private handle: TunnelHandle | null = null;
  private keeper: LeaseKeeper | null = null;
  private running: Promise<Connected> | null = null;
  private cancelled = false;
  private stopping: Promise<{ receipt: UsageReceipt | null }> | null = null;
  private closedEarly: SessionClosed | null = null;
  private endCause: SessionEndCause | null = null;
  private startedAt = "";

  constructor(options: VpnSessionOptions) {
    super();
    this.o = options;
    this.client = options.client;
    this.driver = options.driver;
    this.interfaceName = options.interfaceName ?? DEFAULT_INTERFACE;
    this.clock = options.clock ?? systemClock;
    const monitor = new LinkMonitor({ evidence: options.driver.evidence, staleAfterMs: options.staleAfterMs });
    const checkMs = options.linkCheckMs ?? Math.min(2_000, Math.max(250, monitor.staleAfterMs / 2));
    this.link = new LinkWatch({
      monitor,
      clock: this.clock,
      read: () => this.readEvidence(),
      // The node's view comes with the status poll; a device is read on its own.
      intervalMs: options.driver.evidence === "device" ? checkMs : 0,
      onChange: (state, previous) => this.keeper?.linkChanged(state, previous),
    });
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  get minutes(): number {
    return this.o.minutes;
  }

  get autoRenew(): boolean {
    return this.o.autoRenew === true;
  }

  get renewMinutes(): number {
    return this.o.renewMinutes ?? this.o.minutes;
  }

  get megabytes(): number {
    return this.o.megabytes ?? 0;
  }

  get renewMegabytes(): number {
    return this.o.renewMegabytes ?? this.megabytes;
  }

  get endedBecause(): SessionEndCause | null {
    return this.endCause;
  }

  get handshakeTimeoutMs(): number {
    const fallback = this.driver.kind === "export" ? EXPORT_HANDSHAKE_TIMEOUT_MS : DEFAULT_HANDSHAKE_TIMEOUT_MS;
    return this.o.handshakeTimeoutMs ?? fallback;
  }

  get capSource(): CapSource {
    return this.o.capSource ?? (this.client.budget.cap === null ? "none" : "explicit");
  }

  status(): SessionStatus {
    const { phase, held, keeper, client, clock, handle, link, interfaceName, driver, capSource } = this;
    return sessionStatusOf({ phase, held, keeper, client, clock, handle, link, interfaceName, driver, capSource });
  }

  /** Everything that could refuse this session, checked without paying, and what it commits the user to. */
  plan(): Promise<SessionPlan> {
    return planSession({
      client: this.client,
      driver: this.driver,
      minutes: this.o.minutes,
      megabytes: this.megabytes,
      autoRenew: this.o.autoRenew === true,
      renewMinutes: this.renewMinutes,
      renewMegabytes: this.renewMegabytes,
      capSource: this.capSource,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
    });
  }

  /**
   * Pays for the lease, brings the tunnel up and waits for the first handshake. A tunnel failure closes the
   * paid lease again; so does a timeout without a handshake (`no_handshake`, saying what was spent).
   */
  start(): Promise<Connected> {
    if (this.phase !== "idle" || this.running) {
      throw new ClientError("this session has already started", { code: ErrorCode.invalid_argument });
    }
    this.phase = "connecting";
    this.running = this.run();
    return this.running;
  }

  private async run(): Promise<Connected> {
    try {
      this.emit("plan", await this.plan());
      this.throwIfCancelled();
      const keys = this.o.keys ?? generateKeyPair();
      const created = await this.client.create({
        publicKey: keys.publicKey,
        minutes: this.o.minutes,
        megabytes: this.megabytes,
      });
      const held: HeldLease = { lease: created.lease, expiresAt: Date.parse(created.lease.expiresAt) };
      this.held = held;
      this.leaseToken = created.leaseToken ?? null;
      this.startedAt = new Date(this.clock.now()).toISOString();
      await this.persist();
      this.throwIfCancelled();
      const { client, driver, interfaceName } = this;
      const tunnel = await bringUpTunnel({ client, driver, interfaceName, created, keys }).catch(
        async (error: unknown) => {
          await this.clearState();
          this.phase = "closed";
          throw error;
        },
      );
      this.handle = tunnel.handle;
      await this.persist();
      const handshakeTimeoutMs = this.handshakeTimeoutMs;
      this.emit("leased", { lease: created.lease, payment: created.payment, tunnel, handshakeTimeoutMs });

      const waitStarted = this.clock.now();
      const deadline = Math.min(waitStarted + handshakeTimeoutMs, held.expiresAt);
      const pollMs = this.driver.evidence === "device" ? 200 : 500;
      const outcome = await this.link.established(deadline, pollMs, () => this.cancelled);
      this.throwIfCancelled();
      if (outcome === "timeout") throw await this.abandon(created, this.clock.now() - waitStarted, deadline);
      this.phase = "connected";
      this.keep(held, created.payment.latencyMs);
      const connected = { lease: held.lease, payment: created.payment, tunnel, link: this.link.status() };
      this.emit("connected", connected);
      return connected;
    } catch (error) {
      // Before anything was paid the session can simply start again; after, `stop()` tidies up.
      if (this.phase === "connecting" && !this.held) this.phase = "idle";
      throw error;
    }
  }

  /** No handshake in time: close the lease, take the tunnel down, and say why and what it cost. */
  private async abandon(created: CreatedLease, waitedMs: number, deadline: number): Promise<ClientError> {
    const leaseId = created.lease.id;
    const { client, driver, handle } = this;
    const { receipt, closeFailure } = await closeUnusedLease({ client, driver, leaseId, handle });
    this.handle = null;
    await this.clearState();
    this.phase = "closed";
    this.closedEarly = this.closedOf(leaseId, receipt);
    this.emit("closed", this.closedEarly);
    return noHandshakeError({
      driver: driver.kind,
      endpoint: created.tunnel.endpoint,
      waitedMs,
      leaseRanOut: deadline === this.held?.expiresAt,
      leaseId,
      paid: created.payment.amount,
      paidText: client.formatAmount(created.payment.amount),
      closeFailure,
      readError: this.link.lastError,
    });
  }

  /**
   * Closes the lease (signed by the payer) and removes the tunnel with its kill switch. Idempotent. A lease
   * that already ran out or was closed is not an error. While connecting it cancels the start first.
   */
  stop(): Promise<{ receipt: UsageReceipt | null }> {
    this.stopping ??= (async () => {
      if (this.running && this.phase === "connecting") {
        this.cancelled = true;
        await this.running.catch(() => undefined);
      }
      if (this.closedEarly) return { receipt: this.closedEarly.receipt };
      this.keeper?.stop();
      this.link.stop();
      const leaseId = this.held?.lease.id ?? null;
      let receipt: UsageReceipt | null = null;
      let closeError: unknown = null;
      if (leaseId && this.endCause !== "disconnected") {
        try {
          const counters = await ownCounters(this.driver, this.handle, () => this.clock.now());
          receipt = await this.client.close(leaseId, { refund: this.o.keepDeposit !== true, counters });
        } catch (error) {
          if (!isClientError(error, ErrorCode.lease_not_active, ErrorCode.lease_not_found)) closeError = error;
        }
      }
      if (this.handle) {
        await this.driver.down(this.handle);
        this.handle = null;
      }
      await this.clearState();
      this.phase = "closed";
      this.emit("closed", this.closedOf(leaseId, receipt));
      if (closeError) throw closeError;
      return { receipt };
    })();
    return this.stopping;
  }

  private throwIfCancelled(): void {
    if (this.cancelled) throw new ClientError("cancelled", { code: ErrorCode.aborted });
  }

  private closedOf(leaseId: string | null, receipt: UsageReceipt | null): SessionClosed {
    const expiresAt = this.held?.expiresAt ?? null;
    return sessionClosed({
      client: this.client,
      keepDeposit: this.o.keepDeposit === true,
      leaseId,
      receipt,
      expiresAt,
      ...(this.held ? { lease: this.held.lease } : {}),
    });
  }

  private keep(held: HeldLease, initialLatencyMs: number): void {
    this.keeper = new LeaseKeeper({
      client: this.client,
      evidence: this.driver.evidence,
      link: this.link,
      clock: this.clock,
      held,
      autoRenew: this.o.autoRenew === true,
      renewMinutes: this.renewMinutes,
      renewMegabytes: this.renewMegabytes,
      usedBytes: () => usedBytesOf(this.driver, this.handle, this.held),
      statusIntervalMs: this.o.statusIntervalMs ?? 5_000,
      capWarningMs: this.o.capWarningMs ?? DEFAULT_CAP_WARNING_MS,
      renewal: this.o.renewal,
      initialLatencyMs,
      emit: (event, payload) => this.emit(event, payload),
      status: () => this.status(),
      persist: () => this.persist(),
      onEnd: (cause) => void this.end(cause),
    });
    this.keeper.start();
  }

  private async readEvidence(): Promise<PeerReading | null> {
    return readEvidenceOf(this.driver, this.handle, this.held, this.client);
  }

  /** The lease is over: hold traffic with the kill switch, and tell. */
  private async end(cause: SessionEndCause): Promise<void> {
    const held = this.held;
    if (this.phase !== "connected" || !held) return;
    this.phase = "ended";
    this.keeper?.stop();
    let endCause = cause;
    if (cause === "lease_gone" && this.o.statePath) {
      // `wg402 disconnect` in another terminal closed the lease, took the tunnel down and cleared the state.
      const state = await readSessionState(this.o.statePath).catch(() => null);
      if (state?.leaseId !== held.lease.id || state.disconnectingAt) endCause = "disconnected";
    }
    this.endCause = endCause;
    const { expiresAt } = held;
    this.emit("expired", { leaseId: held.lease.id, expiresAt, cause: endCause });
    if (endCause === "disconnected") {
      this.handle = null;
    } else if (this.handle && this.driver.killSwitch) {
      try {
        this.handle = await this.driver.block(this.handle);
        await this.persist();
        this.emit("blocked", { leaseId: held.lease.id, interfaceName: this.interfaceName });
      } catch (error) {
        this.emit("warning", {
          message: `the kill switch failed: ${error instanceof Error ? error.message : String(error)}`,
          code: ErrorCode.tunnel_failed,
        });
      }
    }
    this.resolveEnded({ cause: endCause, expiresAt });
  }

  private async persist(): Promise<void> {
    if (!this.o.statePath || !this.held) return;
    const { client, held, handle, leaseToken, startedAt } = this;
    await writeSessionState(this.o.statePath, sessionStateOf({ client, held, handle, leaseToken, startedAt }));
  }

  private async clearState(): Promise<void> {
    if (this.o.statePath && this.held) await clearSessionStateOf(this.o.statePath, this.held.lease.id);
  }
}
