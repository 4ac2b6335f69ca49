import {
  ClientError,
  type Env,
  type FetchLike,
  type homePaths,
  isClientError,
  openSession,
  type ReceiptStore,
  readSessionState,
  type SessionHistory,
  type TunnelDriverKind,
  type TunnelDriverOptions,
} from "@wg402/client";
import { ErrorCode, type UsageReceipt, type WireError } from "@wg402/shared";
import type { ApiEvent, ApiEvents, ApiEventType } from "../api/events.ts";
import type { ClosedSummary, HistoryEntry, SessionSnapshot, SessionView } from "../api/views.ts";
import { type ActiveSession, activeSession, amountOf } from "./activeSession.ts";
import type { BalanceService } from "./balanceService.ts";
import { closedSummary } from "./closedSummary.ts";
import type { EventBus } from "./eventBus.ts";
import { sessionCapChoice } from "./sessionCap.ts";
import { relaySessionEvents, unrelaySessionEvents } from "./sessionEvents.ts";
import type { SessionOutlet } from "./sessionOutlet.ts";
import { recordSession } from "./sessionRecorder.ts";
import { sessionUnits } from "./sessionUnits.ts";
import { sessionView } from "./sessionView.ts";
import type { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";
import { txLink } from "./txLink.ts";
import type { WalletService } from "./walletService.ts";

export type SessionControllerOptions = {
  env: Env;
  paths: ReturnType<typeof homePaths>;
  wallet: WalletService;
  settings: SettingsStore;
  history: SessionHistory;
  /** Where the core keeps the nodes' receipts: History's badges are read from it. */
  receipts: ReceiptStore;
  /** The channel half of History: deposit, charge, refund. */
  balances: BalanceService;
  bus: EventBus;
  defaultDriver: () => TunnelDriverKind;
  /** Where and how drivers bring tunnels up (the home's tunnels folder, a network namespace). */
  tunnel: TunnelDriverOptions;
  statusIntervalMs: number;
  /** How quiet a tunnel may be before it stalls; default the core's. */
  staleAfterMs?: number;
  interfaceName?: string;
  fetch?: FetchLike;
  /** Refuse a node whose x402 offers are not signed by its advertised signer; default on in the app. */
  requireSigned?: boolean;
};

/**
 * Runs the client core's VpnSession for the app: one session at a time, built from the user's settings,
 * its events relayed as API events, its end recorded in the history. No connect logic of its own: checks,
 * payment, renewal, kill switch and close are the core's.
 */
export class SessionController {
  private readonly o: SessionControllerOptions;
  private readonly out: SessionOutlet;
  private active: ActiveSession | null = null;
  private starting = false;
  private revision = 0;

  constructor(options: SessionControllerOptions) {
    this.o = options;
    this.out = {
      publish: <K extends ApiEventType>(type: K, payload: ApiEvents[K]) =>
        this.o.bus.publish({ type, ...payload } as ApiEvent),
      publishSession: () => {
        this.revision++;
        this.o.bus.publish({ type: "session", ...this.snapshot() });
      },
      warn: (error: WireError) => this.out.publish("warning", { error }),
      txUrl: (network, hash) => txLink(network, hash, this.o.settings.current.explorerTxUrls),
    };
  }

  get network(): string | null {
    return this.active?.facts.network ?? null;
  }

  /** The escrow channel the running session pays on, if any. */
  get channelId(): string | null {
    return this.active?.channel?.channelId ?? this.active?.plan?.channel?.channelId ?? null;
  }

  view(): SessionView | null {
    return this.active ? sessionView(this.active) : null;
  }

  /** The current session at the current revision (every published change takes a new one). */
  snapshot(): SessionSnapshot {
    return { revision: this.revision, session: this.view() };
  }

  /** `wanted`: the units to buy; none named, the settings' plan. */
  async connect(nodeUrl: string, wanted: { minutes?: number; megabytes?: number } = {}): Promise<SessionSnapshot> {
    if (this.active || this.starting) {
      const where = this.active ? ` to ${this.active.facts.nodeName} (${this.active.client.nodeUrl})` : "";
      throw new ClientError(`already connected${where}: disconnect first`, { code: ErrorCode.already_connected });
    }
    this.starting = true;
    try {
      return await this.start(nodeUrl, wanted);
    } finally {
      this.starting = false;
    }
  }

  private async start(nodeUrl: string, wanted: { minutes?: number; megabytes?: number }): Promise<SessionSnapshot> {
    const recorded = await readSessionState(this.o.paths.state);
    if (recorded) {
      throw new ClientError(
        `a lease from an earlier run is still open (${recorded.leaseId} on ${recorded.nodeUrl}): close it first`,
        { code: ErrorCode.already_connected },
      );
    }
    const account = this.o.wallet.requireAccount();
    const settings = this.o.settings.current;
    const autoRenew = settings.autoRenew;
    const { minutes, megabytes, renewMinutes, renewMegabytes } = sessionUnits(wanted, settings);
    const session = await openSession({
      nodeUrl,
      account: () => account,
      sessionCap: sessionCapChoice(settings.spendCap),
      driver: settings.driver ?? this.o.defaultDriver(),
      tunnel: this.o.tunnel,
      minutes,
      autoRenew,
      renewMinutes,
      ...(megabytes > 0 ? { megabytes, renewMegabytes } : {}),
      // The core's own warning (the activity feed's line) comes when the app's banner appears.
      capWarningMs: settings.capWarningMinutes * 60_000,
      ...(this.o.staleAfterMs ? { staleAfterMs: this.o.staleAfterMs } : {}),
      ...(this.o.interfaceName ? { interfaceName: this.o.interfaceName } : {}),
      statusIntervalMs: this.o.statusIntervalMs,
      statePath: this.o.paths.state,
      env: this.o.env,
      fetch: this.o.fetch,
      // People clicking Connect do not read 402 headers: the app pays only what the node itself signed.
      requireSigned: this.o.requireSigned ?? true,
    });
    const active = activeSession(session, { minutes, megabytes, autoRenew, renewMinutes, renewMegabytes });
    this.active = active;
    relaySessionEvents(active, this.out, this.o.balances);
    this.out.publishSession();
    try {
      // The lease, its config and its first payment are recorded by the `leased` relay, before the handshake.
      const connected = await session.start();
      active.lease = connected.lease;
      this.out.publish("connected", {
        leaseId: connected.lease.id,
        nodeUrl: active.client.nodeUrl,
        minutes,
        megabytes,
        amount: amountOf(active, connected.payment.amount),
        txHash: connected.payment.txHash,
        txUrl: this.out.txUrl(active.facts.network, connected.payment.txHash),
      });
    } catch (error) {
      unrelaySessionEvents(active);
      this.active = null;
      this.out.publishSession();
      throw error;
    }
    this.o.balances.watch(active.facts.network);
    this.out.publishSession();
    return this.snapshot();
  }

  /**
   * Closes the lease and takes the tunnel down (the core's `stop`), then records the session. When the node
   * cannot be told, the tunnel is down all the same and the error says so.
   */
  async disconnect(): Promise<{
    entry: HistoryEntry | null;
    summary: ClosedSummary | null;
    snapshot: SessionSnapshot;
  }> {
    const active = this.active;
    if (!active) throw new ClientError("not connected", { code: ErrorCode.no_active_lease });
    if (active.startedAt === null) {
      throw new ClientError("the connection is still being paid for; disconnect once it is up", {
        code: ErrorCode.invalid_argument,
      });
    }
    if (active.closing) throw new ClientError("already disconnecting", { code: ErrorCode.invalid_argument });
    active.closing = true;
    this.out.publishSession();
    let receipt: UsageReceipt | null = null;
    let failure: unknown = null;
    try {
      ({ receipt } = await active.session.stop());
    } catch (error) {
      failure = error;
    }
    this.o.balances.unwatch();
    unrelaySessionEvents(active);
    const entry = await recordSession(active, receipt, {
      history: this.o.history,
      receipts: this.o.receipts,
      settings: this.o.settings,
      out: this.out,
    });
    const summary = closedSummary(active, entry, this.out.txUrl);
    this.active = null;
    this.out.publishSession();
    this.out.publish("closed", { leaseId: active.leaseId, entry, summary });
    void this.o.balances.read(active.facts.network).catch(() => undefined);
    if (failure) {
      const wire = toWireError(failure);
      // The core clears the state file only once the tunnel is down; if it is still there, so may the tunnel be.
      const recorded = await readSessionState(this.o.paths.state).catch(() => null);
      const message =
        recorded?.leaseId === active.leaseId
          ? `disconnecting did not finish (${wire.message}); the lease is listed as left open, to close again`
          : `the tunnel is down, but the node was not told: ${wire.message}`;
      throw new ClientError(message, {
        code: isClientError(failure) ? failure.code : ErrorCode.internal_error,
        cause: failure,
      });
    }
    return { entry, summary, snapshot: this.snapshot() };
  }

  /** After a paused session: record it, then a new lease on the same node with the current settings. */
  async resume(): Promise<SessionSnapshot> {
    const active = this.active;
    if (!active?.ended) {
      throw new ClientError("there is no paused session to continue", { code: ErrorCode.no_active_lease });
    }
    await this.disconnect();
    return this.connect(active.client.nodeUrl);
  }

  /** Quitting the app stops paying: the lease is closed and the tunnel taken down, as Ctrl-C does in the CLI. */
  async shutdown(): Promise<void> {
    if (this.active?.startedAt != null) await this.disconnect().catch(() => undefined);
  }
}
