import { join } from "node:path";
import {
  ClientError,
  closeRecordedLease,
  createTunnelDriver,
  type Env,
  type FetchLike,
  homePaths,
  ReceiptStore,
  readSessionState,
  requestFaucet,
  SessionHistory,
  type TunnelDriverKind,
  type TunnelDriverOptions,
} from "@wg402/client";
import { ErrorCode, localStackPath, readLocalStack } from "@wg402/shared";
import { type CommandInput, type CommandName, type CommandOutput, commands, isCommandName } from "../api/commands.ts";
import type { CommandEnvelope } from "../api/envelope.ts";
import type { AppInfo, DriverOption, RecordedLeaseView } from "../api/views.ts";
import { amountView } from "./amountView.ts";
import { BalanceService } from "./balanceService.ts";
import { ChannelWithdrawals } from "./channelWithdrawals.ts";
import type { DesktopConfig } from "./desktopConfig.ts";
import type { Discover } from "./discovery.ts";
import { type ApiEventListener, EventBus } from "./eventBus.ts";
import { historyEntries } from "./historyEntryView.ts";
import { NodeDirectory } from "./nodeDirectory.ts";
import { quoteView } from "./quoteView.ts";
import { exportReceipts } from "./receiptsExport.ts";
import { SessionController } from "./sessionController.ts";
import { SettingsStore } from "./settingsStore.ts";
import { toWireError } from "./toWireError.ts";
import { txLink } from "./txLink.ts";
import { WalletService } from "./walletService.ts";

export type DesktopHostOptions = {
  config: DesktopConfig;
  env: Env;
  transport: AppInfo["transport"];
  version: string;
  isRoot?: () => boolean;
  fetch?: FetchLike;
  /** scrypt cost for new wallets; tests pass a small one. Default: the core's (2^17). */
  scryptN?: number;
  /** The registry discovery; default the core's `discoverNodes`. */
  discover?: Discover;
};

type Handlers = { [K in CommandName]: (input: CommandInput<K>) => Promise<CommandOutput<K>> };

const DRIVER_ORDER: TunnelDriverKind[] = ["wg-quick", "userspace", "export"];

/**
 * The client API over the client core: one handler per command and one event stream. Electron's main
 * process and the HTTP daemon both call `call()` and `subscribe()`; neither has logic of its own.
 */
export class DesktopHost {
  readonly bus = new EventBus();
  readonly paths: ReturnType<typeof homePaths>;
  private readonly o: DesktopHostOptions;
  private readonly env: Env;
  private readonly wallet: WalletService;
  private readonly settings: SettingsStore;
  private readonly history: SessionHistory;
  private readonly receipts: ReceiptStore;
  private readonly withdrawals: ChannelWithdrawals;
  private readonly nodes: NodeDirectory;
  private readonly balances: BalanceService;
  private readonly sessions: SessionController;
  private readonly isRoot: () => boolean;
  private readonly tunnel: TunnelDriverOptions;
  private drivers: DriverOption[] = [];
  private readonly handlers: Handlers;

  private constructor(o: DesktopHostOptions, settings: SettingsStore) {
    this.o = o;
    // The core reads WG402_HOME and WG402_STACK_FILE from the environment it is given.
    this.env = {
      ...o.env,
      ...(o.config.WG402_HOME ? { WG402_HOME: o.config.WG402_HOME } : {}),
      ...(o.config.WG402_STACK_FILE ? { WG402_STACK_FILE: o.config.WG402_STACK_FILE } : {}),
    };
    this.paths = homePaths(this.env);
    this.isRoot = o.isRoot ?? (() => process.getuid?.() === 0);
    this.tunnel = {
      tunnelsDir: this.paths.tunnels,
      qr: false,
      isRoot: this.isRoot,
      ...(o.config.WG402_UI_NETNS ? { netns: o.config.WG402_UI_NETNS } : {}),
    };
    this.settings = settings;
    this.wallet = new WalletService({ env: this.env, keystorePath: this.paths.keystore, scryptN: o.scryptN });
    this.history = new SessionHistory(this.paths.home);
    // The same file the core appends to when a node's receipt comes (openLeaseClient, closeRecordedLease).
    this.receipts = new ReceiptStore(this.paths.home);
    this.nodes = new NodeDirectory({
      env: this.env,
      nodes: o.config.WG402_UI_NODES,
      settings,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      registry: {
        choice: { address: o.config.WG402_REGISTRY, chain: o.config.WG402_REGISTRY_CHAIN },
        // The index of the registry, kept between runs so a start reads only the blocks since the last.
        cacheDir: join(this.paths.home, "registry"),
        ...(o.discover ? { discover: o.discover } : {}),
      },
    });
    this.balances = new BalanceService({
      env: this.env,
      wallet: this.wallet,
      bus: this.bus,
      pollMs: o.config.WG402_UI_BALANCE_POLL_SECONDS * 1000,
      defaultNetwork: async () =>
        this.sessions.network ?? (await this.nodes.firstNetwork()) ?? (await this.localStack())?.network ?? null,
    });
    this.sessions = new SessionController({
      env: this.env,
      paths: this.paths,
      wallet: this.wallet,
      settings,
      history: this.history,
      receipts: this.receipts,
      balances: this.balances,
      bus: this.bus,
      defaultDriver: () => this.defaultDriver(),
      tunnel: this.tunnel,
      statusIntervalMs: o.config.WG402_UI_STATUS_SECONDS * 1000,
      ...(o.config.WG402_UI_STALE_AFTER_SECONDS ? { staleAfterMs: o.config.WG402_UI_STALE_AFTER_SECONDS * 1000 } : {}),
      ...(o.config.WG402_UI_INTERFACE ? { interfaceName: o.config.WG402_UI_INTERFACE } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
    this.withdrawals = new ChannelWithdrawals({
      env: this.env,
      wallet: this.wallet,
      txUrl: (network, hash) => txLink(network, hash, this.settings.current.explorerTxUrls),
      busyChannel: () => this.sessions.channelId,
    });
    this.handlers = this.buildHandlers();
  }

  static async create(options: DesktopHostOptions): Promise<DesktopHost> {
    const home = homePaths({
      ...options.env,
      ...(options.config.WG402_HOME ? { WG402_HOME: options.config.WG402_HOME } : {}),
    }).home;
    const settings = await SettingsStore.open(home, { lowBalanceMinutes: options.config.WG402_UI_LOW_BALANCE_MINUTES });
    const host = new DesktopHost(options, settings);
    await host.detectDrivers();
    return host;
  }

  subscribe(listener: ApiEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Validates the input, runs the command, and returns its result or its error as data. */
  async call<K extends CommandName>(name: K, rawInput: unknown): Promise<CommandEnvelope<K>> {
    if (!isCommandName(name)) {
      return {
        ok: false,
        error: { error: ErrorCode.not_found, message: `there is no command called ${String(name)}` },
      };
    }
    try {
      const input = commands[name].input.parse(rawInput) as CommandInput<K>;
      const handler = this.handlers[name] as (input: CommandInput<K>) => Promise<CommandOutput<K>>;
      return { ok: true, result: await handler(input) };
    } catch (error) {
      const wire = toWireError(error);
      if (wire.error === ErrorCode.internal_error) console.error(`wg402-desktop: ${name} failed:`, error);
      return { ok: false, error: wire };
    }
  }

  /** Closes a running lease (quitting stops paying) and stops background reads. */
  async close(): Promise<void> {
    await this.sessions.shutdown();
    this.balances.unwatch();
  }

  private buildHandlers(): Handlers {
    return {
      "app.info": () => this.appInfo(),
      "wallet.status": () => this.wallet.status(),
      "wallet.create": async ({ passphrase, confirmation }) =>
        this.walletChanged(await this.wallet.create(passphrase, confirmation)),
      "wallet.import": async (input) => {
        const key =
          input.kind === "privateKey"
            ? { privateKey: input.privateKey }
            : { mnemonic: input.mnemonic, accountIndex: input.accountIndex };
        return this.walletChanged(await this.wallet.import(key, input.passphrase, input.confirmation));
      },
      "wallet.export": () => this.wallet.exportKeystore(),
      "wallet.qr": () => this.wallet.qr(),
      "wallet.unlock": async ({ passphrase }) => this.walletChanged(await this.wallet.unlock(passphrase)),
      "wallet.lock": async () => this.walletChanged(await this.wallet.lock()),
      "wallet.balances": (input) => this.balances.read(input?.network),
      "wallet.faucet": async (input) => {
        const account = this.wallet.requireAccount();
        const chain = await this.balances.chainFor(input?.network);
        const result = await requestFaucet(chain, account);
        await this.balances.read(chain.chain.network).catch(() => undefined);
        return {
          txHash: result.txHash,
          received: amountView(result.amount, chain.token),
          balance: amountView(result.balance, chain.token),
          gasTopUp: result.gasTopUp !== null,
        };
      },
      "nodes.list": async (input) => {
        const nodes = await this.nodes.list(input?.refresh === true);
        this.bus.publish({ type: "nodes", nodes });
        return nodes;
      },
      "nodes.add": async ({ url }) => this.nodesChanged(await this.nodes.add(url)),
      "nodes.remove": async ({ url }) => this.nodesChanged(await this.nodes.remove(url)),
      "nodes.quote": async ({ url, minutes, megabytes }) => {
        await this.nodes.assertPayable(url);
        return quoteView({
          url,
          minutes: minutes ?? 0,
          megabytes: megabytes ?? 0,
          spendCap: this.settings.current.spendCap,
          account: this.wallet.currentAccount(),
          env: this.env,
          ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
        });
      },
      "session.status": async () => this.sessions.snapshot(),
      "session.connect": async ({ nodeUrl, minutes, megabytes }) => {
        await this.nodes.assertPayable(nodeUrl);
        return this.sessions.connect(nodeUrl, {
          ...(minutes !== undefined ? { minutes } : {}),
          ...(megabytes !== undefined ? { megabytes } : {}),
        });
      },
      "session.disconnect": () => this.sessions.disconnect(),
      "session.resume": async () => {
        const nodeUrl = this.sessions.view()?.nodeUrl;
        if (nodeUrl) await this.nodes.assertPayable(nodeUrl);
        return this.sessions.resume();
      },
      "session.closeRecorded": async () => {
        if (this.sessions.view()) {
          throw new ClientError("this app's own session is running: use Disconnect", {
            code: ErrorCode.invalid_argument,
          });
        }
        const closed = await closeRecordedLease({
          statePath: this.paths.state,
          tunnelsDir: this.paths.tunnels,
          account: this.wallet.requireAccount(),
          isRoot: this.isRoot,
          receipts: this.receipts,
        });
        if (closed.closeError) {
          throw new ClientError(`the tunnel is down, but the node was not told: ${closed.closeError.shortMessage}`, {
            code: closed.closeError.code,
          });
        }
        return { leaseId: closed.leaseId };
      },
      "settings.get": async () => this.settings.current,
      "settings.update": async (patch) => {
        const settings = await this.settings.update(patch);
        this.bus.publish({ type: "settings", settings });
        return settings;
      },
      "history.list": async () =>
        historyEntries(await this.history.list(), this.settings.current.explorerTxUrls, this.receipts),
      "receipts.export": (input) => exportReceipts(this.receipts, input?.leaseId),
      "channels.list": () => this.withdrawals.list(),
      "channels.withdraw": async ({ channelId }) => this.withdrawalChanged(await this.withdrawals.start(channelId)),
      "channels.finalize": async ({ channelId }) => this.withdrawalChanged(await this.withdrawals.finalize(channelId)),
    };
  }

  /** Money moved between the escrow and the wallet: the balance card reads both again. */
  private async withdrawalChanged<T extends { channelId: string } | { channel: { network: string } }>(
    result: T,
  ): Promise<T> {
    const network = "channel" in result ? result.channel.network : undefined;
    await this.balances.read(network).catch(() => undefined);
    return result;
  }

  private walletChanged<T extends Awaited<ReturnType<WalletService["status"]>>>(wallet: T): T {
    this.bus.publish({ type: "wallet", wallet });
    return wallet;
  }

  private nodesChanged<T extends Awaited<ReturnType<NodeDirectory["list"]>>>(nodes: T): T {
    this.bus.publish({ type: "nodes", nodes });
    return nodes;
  }

  private async appInfo(): Promise<AppInfo> {
    const localStack = await this.localStack();
    return {
      version: this.o.version,
      transport: this.o.transport,
      home: this.paths.home,
      defaultDriver: this.defaultDriver(),
      drivers: this.drivers,
      localStack,
      recordedLease: this.sessions.view() ? null : await this.recordedLease(),
    };
  }

  private async recordedLease(): Promise<RecordedLeaseView | null> {
    const state = await readSessionState(this.paths.state);
    if (!state) return null;
    return {
      leaseId: state.leaseId,
      nodeUrl: state.nodeUrl,
      startedAt: state.startedAt,
      expiresAt: state.expiresAt,
      driver: state.tunnel?.driver ?? null,
      blocked: state.tunnel?.blocked ?? false,
    };
  }

  private async localStack(): Promise<AppInfo["localStack"]> {
    try {
      const stack = await readLocalStack(localStackPath(this.env));
      return { rpcUrl: this.env.WG402_RPC_URL_LOCAL || stack.chain.rpcUrl, network: stack.chain.network };
    } catch {
      // No local stack: the app still works with public nodes.
      return null;
    }
  }

  /** Which drivers this machine can run, asked of each driver's own precheck (root, tools). */
  private async detectDrivers(): Promise<void> {
    this.drivers = await Promise.all(
      DRIVER_ORDER.map(async (kind): Promise<DriverOption> => {
        const driver = createTunnelDriver(kind, this.tunnel);
        try {
          await driver.precheck({ dns: [] });
          return { kind, killSwitch: driver.killSwitch, available: true, note: "" };
        } catch (error) {
          return { kind, killSwitch: driver.killSwitch, available: false, note: toWireError(error).message };
        }
      }),
    );
  }

  private defaultDriver(): TunnelDriverKind {
    const wanted = this.o.config.WG402_UI_DRIVER;
    if (wanted !== "auto") return wanted;
    return this.drivers.find((d) => d.available)?.kind ?? "export";
  }
}
