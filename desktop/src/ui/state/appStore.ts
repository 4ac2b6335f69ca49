// The window's single store: API events and command results flow in, React reads it with
// useSyncExternalStore. Every failed command becomes a notice; none is dropped.
import { useSyncExternalStore } from "react";
import type { ClientApi, LinkState } from "../../api/clientApi.ts";
import type { CommandInput, CommandName, CommandOutput } from "../../api/commands.ts";
import { ApiError, wireErrorOf } from "../../api/envelope.ts";
import { type AppState, addNotice, applyEvent, applySnapshot, dismissNotice, initialAppState } from "./appState.ts";

const LOADING: Partial<Record<CommandName, string>> = {
  "app.info": "Starting",
  "wallet.status": "Reading your wallet",
  "settings.get": "Reading your settings",
  "session.status": "Reading the connection",
  "history.list": "Reading your history",
  "nodes.list": "Looking for nodes",
};

export class AppStore {
  readonly api: ClientApi;
  private state: AppState = initialAppState;
  private readonly listeners = new Set<() => void>();

  constructor(api: ClientApi) {
    this.api = api;
  }

  get = (): AppState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: AppState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }

  /** Subscribes to events first, then loads every snapshot, so nothing that happens in between is missed. */
  start(): () => void {
    const stop = this.api.subscribe(
      (event) => this.set(applyEvent(this.state, event, Date.now())),
      (link: LinkState) => {
        const was = this.state.link;
        this.set({ ...this.state, link });
        // Back after a loss: whatever changed meanwhile is read again.
        if (link === "open" && was === "lost") void this.refresh();
      },
    );
    void this.refresh();
    return stop;
  }

  async refresh(): Promise<void> {
    await Promise.all([
      this.load("app.info", undefined, (s, info) => ({ ...s, info })),
      this.load("wallet.status", undefined, (s, wallet) => ({ ...s, wallet })),
      this.load("settings.get", undefined, (s, settings) => ({ ...s, settings })),
      this.load("session.status", undefined, (s, snapshot) => applySnapshot(s, snapshot)),
      this.load("history.list", undefined, (s, history) => ({ ...s, history })),
      this.load("nodes.list", undefined, (s, nodes) => ({ ...s, nodes })),
    ]);
  }

  /** Runs a command; a failure is turned into a notice (with `context`) and rethrown for the caller. */
  async run<K extends CommandName>(name: K, input: CommandInput<K>, context: string): Promise<CommandOutput<K>> {
    try {
      return await this.call(name, input);
    } catch (error) {
      this.notify(error, context);
      throw error;
    }
  }

  /** As `run`, but the caller shows the error itself (inline in a form). */
  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    let envelope: Awaited<ReturnType<ClientApi["call"]>>;
    try {
      envelope = await this.api.call(name, input);
    } catch (error) {
      throw new ApiError(
        {
          error: "internal_error",
          message: `the wg402 service did not answer (${error instanceof Error ? error.message : String(error)})`,
        },
        { cause: error },
      );
    }
    if (envelope.ok) return envelope.result as CommandOutput<K>;
    throw new ApiError(envelope.error);
  }

  update(fn: (state: AppState) => AppState): void {
    this.set(fn(this.state));
  }

  notify(error: unknown, context: string): void {
    this.set(addNotice(this.state, wireErrorOf(error), context));
  }

  dismiss(id: number): void {
    this.set(dismissNotice(this.state, id));
  }

  private async load<K extends CommandName>(
    name: K,
    input: CommandInput<K>,
    apply: (state: AppState, result: CommandOutput<K>) => AppState,
  ): Promise<void> {
    try {
      const result = await this.call(name, input);
      this.set(apply(this.state, result));
    } catch (error) {
      this.notify(error, LOADING[name] ?? "Loading");
    }
  }
}

export function useAppState<T>(store: AppStore, select: (state: AppState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
