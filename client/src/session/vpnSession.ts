import type { Lease, UsageReceipt } from "@wg402/shared";
import { ErrorCode } from "@wg402/shared";
import { type Clock, systemClock, type TimerHandle } from "@wg402/shared/runtime";
import { generateKeyPair } from "@wg402/wireguard";
import { ClientError, isClientError } from "../errors.ts";
import type { LeaseClient, Preflight } from "../node/leaseClient.ts";
import { TypedEmitter } from "../runtime/typedEmitter.ts";
import type { TunnelDriver, TunnelHandle, TunnelUp } from "../tunnel/types.ts";
import { parseWgQuickConfig, renderTunnelConfig } from "../tunnel/wgQuickConfig.ts";
import { readTokenBalance } from "../wallet/balances.ts";
import { AutoRenewer } from "./autoRenewer.ts";
import { assertCapsCover } from "./capsCover.ts";
import { clearSessionStateOf, readSessionState, writeSessionState } from "./sessionState.ts";
import type { SessionEndCause, SessionEvents, SessionStatus, VpnSessionOptions } from "./sessionTypes.ts";

/** Not "wg402", which is the agent's default: a node and a client can share a machine. */
export const DEFAULT_INTERFACE = "wg402-client";

/**
 * One paid tunnel from purchase to teardown: checks everything before paying, buys the lease with a fresh
 * WireGuard key, brings the driver up, renews (when asked) and engages the kill switch when the lease ends.
 * `stop()` closes the lease and takes the tunnel down. UI-agnostic: the CLI and the desktop render its
 * events and `status()`.
 */
export class VpnSession extends TypedEmitter<SessionEvents> {
  readonly client: LeaseClient;
  readonly driver: TunnelDriver;
  readonly interfaceName: string;
  /** Resolves when the lease has ended (not when the session was stopped). */
  readonly ended: Promise<{ cause: SessionEndCause; expiresAt: number }>;
  private readonly o: VpnSessionOptions;
  private readonly clock: Clock;
  private resolveEnded: (value: { cause: SessionEndCause; expiresAt: number }) => void = () => undefined;
  private phase: SessionStatus["phase"] = "idle";
  private lease: Lease | null = null;
  private leaseToken: string | null = null;
  private expiresAt: number | null = null;
  private handle: TunnelHandle | null = null;
  private renewer: AutoRenewer | null = null;
  private expiryTimer: TimerHandle | null = null;
  private pollTimer: TimerHandle | null = null;
  private stopping: Promise<{ receipt: UsageReceipt | null }> | null = null;
  private endCause: SessionEndCause | null = null;
  private startedAt = "";

  constructor(options: VpnSessionOptions) {
    super();
    this.o = options;
    this.client = options.client;
    this.driver = options.driver;
    this.interfaceName = options.interfaceName ?? DEFAULT_INTERFACE;
    this.clock = options.clock ?? systemClock;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  get renewMinutes(): number {
    return this.o.renewMinutes ?? this.o.minutes;
  }

  get endedBecause(): SessionEndCause | null {
    return this.endCause;
  }

  status(): SessionStatus {
    const now = this.clock.now();
    return {
      phase: this.phase,
      leaseId: this.lease?.id ?? null,
      nodeUrl: this.client.nodeUrl,
      expiresAt: this.expiresAt,
      secondsLeft: this.expiresAt === null ? 0 : Math.max(0, Math.floor((this.expiresAt - now) / 1000)),
      pricePerMinute: this.client.pricePerMinute,
      token: this.client.chain.token,
      spend: this.client.spend(),
      bytesUp: this.lease?.usage.bytesUp ?? 0,
      bytesDown: this.lease?.usage.bytesDown ?? 0,
      renewals: this.renewer?.renewals ?? 0,
      blocked: this.handle?.blocked ?? false,
      interfaceName: this.interfaceName,
      driver: this.driver.kind,
    };
  }

  /**
   * Everything that could refuse this session, checked without paying: the tunnel driver (root, tools), the
   * minutes, the caps (one minute must fit) and the balance.
   */
  async plan(): Promise<Preflight> {
    await this.driver.precheck({ dns: this.client.node.dns });
    assertCapsCover(this.client, this.o.minutes);
    if (this.o.autoRenew && this.renewMinutes !== this.o.minutes) this.client.assertMinutes(this.renewMinutes);
    return this.client.preflight(this.o.minutes);
  }

  /** Pays for the lease and brings the tunnel up. On a tunnel failure the paid lease is closed again. */
  async start(): Promise<SessionEvents["connected"]> {
    if (this.phase !== "idle")
      throw new ClientError("this session has already started", { code: ErrorCode.invalid_argument });
    this.phase = "connecting";
    try {
      await this.plan();
      const keys = this.o.keys ?? generateKeyPair();
      const created = await this.client.create({ publicKey: keys.publicKey, minutes: this.o.minutes });
      this.lease = created.lease;
      this.leaseToken = created.leaseToken ?? null;
      this.expiresAt = Date.parse(created.lease.expiresAt);
      this.startedAt = new Date(this.clock.now()).toISOString();
      await this.persist();

      let tunnel: TunnelUp;
      try {
        const configText = renderTunnelConfig(created.tunnel.configText, keys.privateKey);
        tunnel = await this.driver.up({
          interfaceName: this.interfaceName,
          configText,
          config: parseWgQuickConfig(configText),
        });
      } catch (error) {
        const receipt = await this.client.close(created.lease.id).catch(() => null);
        await this.clearState();
        this.phase = "closed";
        const closed = receipt ? `; lease ${created.lease.id} was closed again` : "";
        throw isClientError(error)
          ? new ClientError(`${error.shortMessage}${closed}`, { code: error.code, cause: error })
          : new ClientError(`the tunnel did not come up${closed}`, {
              code: ErrorCode.tunnel_failed,
              cause: error,
            });
      }
      this.handle = tunnel.handle;
      await this.persist();
      this.phase = "connected";
      this.watch(created.payment.latencyMs);
      const connected = { lease: created.lease, payment: created.payment, tunnel };
      this.emit("connected", connected);
      return connected;
    } catch (error) {
      if (this.phase === "connecting") this.phase = "idle";
      throw error;
    }
  }

  /**
   * Closes the lease (signed by the payer) and removes the tunnel with its kill switch. Idempotent. A lease
   * that already ran out or was closed is not an error.
   */
  stop(): Promise<{ receipt: UsageReceipt | null }> {
    this.stopping ??= (async () => {
      this.clearTimers();
      this.renewer?.stop();
      const leaseId = this.lease?.id ?? null;
      let receipt: UsageReceipt | null = null;
      let closeError: unknown = null;
      if (leaseId && this.endCause !== "disconnected") {
        try {
          receipt = await this.client.close(leaseId);
        } catch (error) {
          if (!isClientError(error, ErrorCode.lease_not_active, ErrorCode.lease_not_found)) {
            closeError = error;
          }
        }
      }
      if (this.handle) {
        await this.driver.down(this.handle);
        this.handle = null;
      }
      await this.clearState();
      this.phase = "closed";
      this.emit("closed", { leaseId, receipt });
      if (closeError) throw closeError;
      return { receipt };
    })();
    return this.stopping;
  }

  private watch(initialLatencyMs: number): void {
    const lease = this.lease;
    if (!lease || this.expiresAt === null) return;
    const price = this.client.priceFor(this.renewMinutes);
    if (this.o.autoRenew) {
      const renewer = new AutoRenewer({
        leaseId: lease.id,
        expiresAt: this.expiresAt,
        minutes: this.renewMinutes,
        price,
        minuteMs: this.client.node.secondsPerMinute * 1000,
        clock: this.clock,
        budget: this.client.budget,
        initialLatencyMs,
        ...this.o.renewal,
        target: {
          renew: async (minutes) => {
            const renewed = await this.client.renew(lease.id, minutes);
            this.lease = renewed.lease;
            this.expiresAt = Math.max(this.expiresAt ?? 0, Date.parse(renewed.lease.expiresAt));
            await this.persist();
            return { expiresAt: this.expiresAt, amount: renewed.payment.amount, txHash: renewed.payment.txHash };
          },
          balance: () => readTokenBalance(this.client.chain, this.client.account.address),
        },
      });
      this.renewer = renewer;
      renewer.on("scheduled", (e) => this.emit("scheduled", e));
      renewer.on("renewed", (e) => this.emit("renewed", { ...e, spend: this.client.spend() }));
      renewer.on("lowBalance", (e) => this.emit("lowBalance", e));
      renewer.on("capReached", (e) => this.emit("capReached", e));
      renewer.on("renewalFailed", (e) => this.emit("renewalFailed", e));
      renewer.on("expired", (e) => void this.end(e.cause));
      renewer.start();
    } else {
      this.scheduleExpiry();
    }
    this.schedulePoll();
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    const at = this.expiresAt ?? this.clock.now();
    this.expiryTimer = this.clock.setTimeout(() => {
      this.expiryTimer = null;
      void this.end("not_renewing");
    }, at - this.clock.now());
  }

  private schedulePoll(): void {
    this.pollTimer = this.clock.setTimeout(() => void this.poll(), this.o.statusIntervalMs ?? 5_000);
  }

  private async poll(): Promise<void> {
    this.pollTimer = null;
    if (this.phase !== "connected" || !this.lease) return;
    try {
      const lease = await this.client.status(this.lease.id);
      if (this.phase !== "connected") return;
      this.lease = lease;
      const expiresAt = Date.parse(lease.expiresAt);
      if (expiresAt > (this.expiresAt ?? 0)) {
        // Renewed elsewhere (`wg402 renew`): follow it.
        this.expiresAt = expiresAt;
        this.renewer?.updateExpiry(expiresAt);
        if (!this.renewer) this.scheduleExpiry();
      }
      this.emit("status", this.status());
      if (lease.state === "closed") {
        await this.end("lease_gone");
        return;
      }
    } catch (error) {
      if (isClientError(error, ErrorCode.lease_not_found)) {
        await this.end("lease_gone");
        return;
      }
      const message = isClientError(error) ? error.shortMessage : String(error);
      this.emit("warning", { message: `status: ${message}`, code: isClientError(error) ? error.code : "unknown" });
    }
    if (this.phase === "connected") this.schedulePoll();
  }

  /** The lease is over: stop renewing, hold traffic with the kill switch, and tell. */
  private async end(cause: SessionEndCause): Promise<void> {
    if (this.phase !== "connected" || !this.lease) return;
    this.phase = "ended";
    this.clearTimers();
    this.renewer?.stop();
    let endCause = cause;
    if (cause === "lease_gone" && this.o.statePath) {
      // `wg402 disconnect` in another terminal closed the lease, took the tunnel down and cleared the state.
      const state = await readSessionState(this.o.statePath).catch(() => null);
      if (state?.leaseId !== this.lease.id) endCause = "disconnected";
    }
    this.endCause = endCause;
    const expiresAt = this.expiresAt ?? this.clock.now();
    this.emit("expired", { leaseId: this.lease.id, expiresAt, cause: endCause });
    if (endCause === "disconnected") {
      this.handle = null;
    } else if (this.handle && this.driver.killSwitch) {
      try {
        this.handle = await this.driver.block(this.handle);
        await this.persist();
        this.emit("blocked", { leaseId: this.lease.id, interfaceName: this.interfaceName });
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
    if (!this.o.statePath || !this.lease) return;
    await writeSessionState(this.o.statePath, {
      version: 1,
      nodeUrl: this.client.nodeUrl,
      leaseId: this.lease.id,
      network: this.client.paymentKind.network,
      publicKey: this.lease.publicKey,
      pid: process.pid,
      startedAt: this.startedAt,
      expiresAt: new Date(this.expiresAt ?? this.clock.now()).toISOString(),
      tunnel: this.handle,
      ...(this.leaseToken ? { leaseToken: this.leaseToken } : {}),
    });
  }

  private async clearState(): Promise<void> {
    if (this.o.statePath && this.lease) await clearSessionStateOf(this.o.statePath, this.lease.id);
  }

  private clearTimers(): void {
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.expiryTimer = null;
    this.pollTimer = null;
  }
}
