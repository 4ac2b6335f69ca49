import {
  ClientError,
  ClientErrorCode,
  createTunnelDriver,
  type FetchLike,
  type homePaths,
  isClientError,
  LeaseClient,
  parseTokenAmount,
  readSessionState,
  type TunnelDriverKind,
  VpnSession,
} from "@wg402/client";
import type { Lease, LeasePayment, NodeInfo, UsageReceipt, WireError } from "@wg402/shared";
import type { ApiEvent, ApiEvents, ApiEventType } from "../api/events.ts";
import type { HistoryEntry, SessionEndCause, SessionSnapshot, SessionView } from "../api/views.ts";
import {
  type SessionFacts,
  type SessionHistory,
  type SessionRecord,
  sessionRecordFrom,
} from "../core/sessionHistory.ts";
import { amountView, perHour } from "./amountView.ts";
import type { BalanceService } from "./balanceService.ts";
import type { EventBus } from "./eventBus.ts";
import { historyEntryView } from "./historyEntryView.ts";
import type { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";
import { txLink } from "./txLink.ts";
import type { WalletService } from "./walletService.ts";

type Env = Record<string, string | undefined>;

/** One running session and what the UI shows about it beyond the core's `status()`. */
type Active = {
  session: VpnSession;
  client: LeaseClient;
  node: NodeInfo;
  facts: Omit<SessionFacts, "leaseId" | "endCause">;
  leaseId: string | null;
  minutes: number;
  autoRenew: boolean;
  renewMinutes: number;
  lease: Lease | null;
  startedAt: number | null;
  configPath: string | null;
  notes: string[];
  nextRenewalAt: number | null;
  ended: { cause: SessionEndCause; at: number } | null;
  closing: boolean;
  /** Every payment seen this session, in case the node cannot be asked for the final numbers. */
  payments: LeasePayment[];
  off: (() => void)[];
};

export type SessionControllerOptions = {
  env: Env;
  paths: ReturnType<typeof homePaths>;
  wallet: WalletService;
  settings: SettingsStore;
  history: SessionHistory;
  balances: BalanceService;
  bus: EventBus;
  defaultDriver: () => TunnelDriverKind;
  statusIntervalMs: number;
  isRoot: () => boolean;
  fetch?: FetchLike;
};

/**
 * Runs the client core's VpnSession for the app: one session at a time, built from the user's settings,
 * its events relayed as API events, its end recorded in the history. No connect logic of its own: checks,
 * payment, renewal, kill switch and close are the core's.
 */
export class SessionController {
  private readonly o: SessionControllerOptions;
  private active: Active | null = null;
  private starting = false;
  private revision = 0;

  constructor(options: SessionControllerOptions) {
    this.o = options;
  }

  get network(): string | null {
    return this.active?.facts.network ?? null;
  }

  view(): SessionView | null {
    return this.active ? this.toView(this.active) : null;
  }

  /** The current session at the current revision (every published change takes a new one). */
  snapshot(): SessionSnapshot {
    return { revision: this.revision, session: this.view() };
  }

  async connect(nodeUrl: string, minutesWanted?: number): Promise<SessionSnapshot> {
    if (this.active || this.starting) {
      const where = this.active ? ` to ${this.active.facts.nodeName} (${this.active.client.nodeUrl})` : "";
      throw new ClientError(`already connected${where}: disconnect first`, {
        code: ClientErrorCode.already_connected,
      });
    }
    this.starting = true;
    try {
      return await this.start(nodeUrl, minutesWanted);
    } finally {
      this.starting = false;
    }
  }

  private async start(nodeUrl: string, minutesWanted?: number): Promise<SessionSnapshot> {
    const recorded = await readSessionState(this.o.paths.state);
    if (recorded) {
      throw new ClientError(
        `a lease from an earlier run is still open (${recorded.leaseId} on ${recorded.nodeUrl}): close it first`,
        { code: ClientErrorCode.already_connected },
      );
    }
    const account = this.o.wallet.requireAccount();
    const settings = this.o.settings.current;
    const minutes = minutesWanted ?? settings.minutes;
    // The node's info and chain first (nothing is paid): the cap is typed in whole tokens of that chain.
    const probe = await LeaseClient.connect({ nodeUrl, account, env: this.o.env, fetch: this.o.fetch });
    const sessionCap =
      settings.spendCap === null
        ? null
        : parseTokenAmount(settings.spendCap, probe.chain.token.decimals, "the spend cap");
    const client = await LeaseClient.connect({
      nodeUrl: probe.nodeUrl,
      node: probe.node,
      chain: probe.chain,
      account,
      sessionCap,
      env: this.o.env,
      fetch: this.o.fetch,
    });
    const driver = createTunnelDriver(settings.driver ?? this.o.defaultDriver(), {
      tunnelsDir: this.o.paths.tunnels,
      qr: false,
      isRoot: this.o.isRoot,
    });
    const autoRenew = settings.autoRenew;
    const renewMinutes = autoRenew ? settings.renewMinutes : minutes;
    const session = new VpnSession({
      client,
      driver,
      minutes,
      autoRenew,
      renewMinutes,
      statusIntervalMs: this.o.statusIntervalMs,
      statePath: this.o.paths.state,
    });
    const active: Active = {
      session,
      client,
      node: client.node,
      leaseId: null,
      facts: {
        nodeUrl: client.nodeUrl,
        nodeName: client.node.name,
        region: client.node.region,
        network: client.paymentKind.network,
        token: { symbol: client.chain.token.symbol, decimals: client.chain.token.decimals },
      },
      minutes,
      autoRenew,
      renewMinutes,
      lease: null,
      startedAt: null,
      configPath: null,
      notes: [],
      nextRenewalAt: null,
      ended: null,
      closing: false,
      payments: [],
      off: [],
    };
    this.active = active;
    this.wire(active);
    this.publishSession();
    try {
      const connected = await session.start();
      active.lease = connected.lease;
      active.leaseId = connected.lease.id;
      active.startedAt = Date.parse(connected.lease.createdAt);
      active.configPath = connected.tunnel.handle.configPath;
      active.notes = connected.tunnel.notes;
      active.payments.push(paymentOf(active, connected.payment.amount, minutes, connected.payment.txHash));
      this.publish("connected", {
        leaseId: connected.lease.id,
        nodeUrl: client.nodeUrl,
        minutes,
        amount: this.amount(active, connected.payment.amount),
        txHash: connected.payment.txHash,
        txUrl: this.txUrl(active, connected.payment.txHash),
      });
    } catch (error) {
      this.unwire(active);
      this.active = null;
      this.publishSession();
      throw error;
    }
    this.o.balances.watch(active.facts.network);
    this.publishSession();
    return this.snapshot();
  }

  /**
   * Closes the lease and takes the tunnel down (the core's `stop`), then records the session. When the node
   * cannot be told, the tunnel is down all the same and the error says so.
   */
  async disconnect(): Promise<{ entry: HistoryEntry | null; snapshot: SessionSnapshot }> {
    const active = this.active;
    if (!active) throw new ClientError("not connected", { code: ClientErrorCode.no_active_lease });
    if (active.startedAt === null) {
      throw new ClientError("the connection is still being paid for; disconnect once it is up", {
        code: ClientErrorCode.invalid_argument,
      });
    }
    if (active.closing) throw new ClientError("already disconnecting", { code: ClientErrorCode.invalid_argument });
    active.closing = true;
    this.publishSession();
    let receipt: UsageReceipt | null = null;
    let failure: unknown = null;
    try {
      ({ receipt } = await active.session.stop());
    } catch (error) {
      failure = error;
    }
    this.o.balances.unwatch();
    this.unwire(active);
    const entry = await this.record(active, receipt);
    this.active = null;
    this.publishSession();
    this.publish("closed", { leaseId: active.leaseId, entry });
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
        code: isClientError(failure) ? failure.code : ClientErrorCode.internal_error,
        cause: failure,
      });
    }
    return { entry, snapshot: this.snapshot() };
  }

  /** After a paused session: record it, then a new lease on the same node with the current settings. */
  async resume(): Promise<SessionSnapshot> {
    const active = this.active;
    if (!active?.ended) {
      throw new ClientError("there is no paused session to continue", { code: ClientErrorCode.no_active_lease });
    }
    await this.disconnect();
    return this.connect(active.client.nodeUrl);
  }

  /** Quitting the app stops paying: the lease is closed and the tunnel taken down, as Ctrl-C does in the CLI. */
  async shutdown(): Promise<void> {
    if (this.active?.startedAt != null) await this.disconnect().catch(() => undefined);
  }

  private wire(active: Active): void {
    const { session } = active;
    active.off.push(
      session.on("scheduled", (e) => {
        active.nextRenewalAt = e.at;
        this.publish("scheduled", { leaseId: e.leaseId, at: e.at, expiresAt: e.expiresAt });
        this.publishSession();
      }),
      session.on("renewed", (e) => {
        active.payments.push(paymentOf(active, e.amount, e.minutes, e.txHash));
        this.publish("renewed", {
          leaseId: e.leaseId,
          minutes: e.minutes,
          amount: this.amount(active, e.amount),
          txHash: e.txHash,
          txUrl: this.txUrl(active, e.txHash),
          expiresAt: e.expiresAt,
          renewals: e.renewals,
        });
        this.publishSession();
        void this.o.balances.read(active.facts.network).catch((error: unknown) => this.warn(toWireError(error)));
      }),
      session.on("lowBalance", (e) =>
        this.publish("lowBalance", {
          leaseId: e.leaseId,
          balance: this.amount(active, e.balance),
          renewalsLeft: e.renewalsLeft,
        }),
      ),
      session.on("capReached", (e) =>
        this.publish("capReached", {
          leaseId: e.leaseId,
          cap: e.cap === null ? null : this.amount(active, e.cap),
          committed: this.amount(active, e.committed),
          expiresAt: e.expiresAt,
        }),
      ),
      session.on("renewalFailed", (e) =>
        this.publish("renewalFailed", {
          leaseId: e.leaseId,
          error: wireError(e.code, e.message),
          attempt: e.attempt,
          retryInMs: e.retryInMs,
        }),
      ),
      session.on("status", () => this.publishSession()),
      session.on("expired", (e) => {
        active.ended = { cause: e.cause, at: e.expiresAt };
        active.nextRenewalAt = null;
        this.publish("expired", { leaseId: e.leaseId, cause: e.cause, expiresAt: e.expiresAt });
        this.publishSession();
      }),
      session.on("blocked", (e) => {
        this.publish("blocked", { leaseId: e.leaseId, interfaceName: e.interfaceName });
        this.publishSession();
      }),
      session.on("warning", (e) => this.warn(wireError(e.code, e.message))),
    );
  }

  private unwire(active: Active): void {
    for (const off of active.off.splice(0)) off();
  }

  /** The node's receipt when the close produced one, else the lease as the node last reported it. */
  private async record(active: Active, receipt: UsageReceipt | null): Promise<HistoryEntry | null> {
    if (active.startedAt === null || active.leaseId === null) return null;
    const facts: SessionFacts = { ...active.facts, leaseId: active.leaseId, endCause: active.ended?.cause ?? "closed" };
    let record: SessionRecord;
    if (receipt) {
      record = sessionRecordFrom(facts, { receipt });
    } else {
      let lease: Lease;
      try {
        lease = await active.client.status(active.leaseId);
      } catch (error) {
        this.warn(toWireError(error));
        const status = active.session.status();
        lease = {
          ...(active.lease as Lease),
          expiresAt: new Date(status.expiresAt ?? Date.now()).toISOString(),
          usage: { bytesUp: status.bytesUp, bytesDown: status.bytesDown, lastHandshakeAt: null },
          totalPaid: status.spend.settled.toString(),
          payments: active.payments,
        };
      }
      record = sessionRecordFrom(facts, { lease, endedAt: Date.now() });
    }
    try {
      const all = await this.o.history.add(record);
      const templates = this.o.settings.current.explorerTxUrls;
      this.publish("history", { entries: all.map((r) => historyEntryView(r, templates)) });
    } catch (error) {
      this.warn({
        ...toWireError(error),
        message: `the session could not be saved to History: ${toWireError(error).message}`,
      });
    }
    return historyEntryView(record, this.o.settings.current.explorerTxUrls);
  }

  private toView(active: Active): SessionView {
    const s = active.session.status();
    const amount = (value: bigint) => this.amount(active, value);
    const phase: SessionView["phase"] = active.closing
      ? "closing"
      : active.startedAt === null
        ? "connecting"
        : active.ended
          ? "ended"
          : "connected";
    return {
      phase,
      leaseId: s.leaseId,
      nodeUrl: active.client.nodeUrl,
      nodeName: active.facts.nodeName,
      region: active.facts.region,
      network: active.facts.network,
      address: active.lease?.address ?? null,
      driver: active.session.driver.kind,
      killSwitch: active.session.driver.killSwitch,
      blocked: s.blocked,
      configPath: active.configPath,
      notes: active.notes,
      startedAt: active.startedAt,
      expiresAt: s.expiresAt,
      secondsLeft: s.secondsLeft,
      secondsPerMinute: active.node.secondsPerMinute,
      pricePerMinute: amount(s.pricePerMinute),
      costPerHour: amount(perHour(s.pricePerMinute, active.node.secondsPerMinute)),
      spent: amount(s.spend.settled),
      committed: amount(s.spend.committed),
      cap: s.spend.cap === null ? null : amount(s.spend.cap),
      bytesUp: s.bytesUp,
      bytesDown: s.bytesDown,
      renewals: s.renewals,
      autoRenew: active.autoRenew,
      minutes: active.minutes,
      renewMinutes: active.renewMinutes,
      nextRenewalAt: active.ended ? null : active.nextRenewalAt,
      ended: active.ended,
    };
  }

  private amount(active: Active, value: bigint) {
    return amountView(value, active.facts.token);
  }

  private txUrl(active: Active, hash: string | null): string | null {
    return txLink(active.facts.network, hash, this.o.settings.current.explorerTxUrls);
  }

  private publishSession(): void {
    this.revision++;
    this.o.bus.publish({ type: "session", ...this.snapshot() });
  }

  private publish<K extends ApiEventType>(type: K, payload: ApiEvents[K]): void {
    this.o.bus.publish({ type, ...payload } as ApiEvent);
  }

  private warn(error: WireError): void {
    this.publish("warning", { error });
  }
}

function paymentOf(active: Active, amount: bigint, minutes: number, txHash: string | null): LeasePayment {
  return {
    scheme: "exact",
    network: active.facts.network as LeasePayment["network"],
    payer: active.client.account.address,
    amount: amount.toString(),
    minutes,
    txHash,
    paidAt: new Date().toISOString(),
  };
}

/** The core's event codes are strings; anything not a known wire code is reported as internal. */
function wireError(code: string, message: string): WireError {
  const known = code in ClientErrorCode ? (code as ClientErrorCode) : ClientErrorCode.internal_error;
  return { error: known, message };
}
