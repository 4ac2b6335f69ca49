// The command half of the client API: one list of names, and the input and output of each. Electron IPC,
// the HTTP daemon and the renderer all type-check against this one map.
import type {
  AppInfo,
  BalancesView,
  FaucetView,
  HistoryEntry,
  NodeView,
  QuoteView,
  SessionSnapshot,
  SettingsView,
  WalletView,
} from "./views.ts";

export const commandNames = [
  "app.info",
  "wallet.status",
  "wallet.create",
  "wallet.import",
  "wallet.unlock",
  "wallet.lock",
  "wallet.balances",
  "wallet.faucet",
  "nodes.list",
  "nodes.add",
  "nodes.remove",
  "nodes.quote",
  "session.status",
  "session.connect",
  "session.disconnect",
  "session.resume",
  "session.closeRecorded",
  "settings.get",
  "settings.update",
  "history.list",
] as const;

export type CommandName = (typeof commandNames)[number];

type Command<I, O> = { input: I; output: O };

export type Commands = {
  "app.info": Command<undefined, AppInfo>;
  "wallet.status": Command<undefined, WalletView>;
  /** A new key, encrypted with the passphrase into the keystore file; the wallet is unlocked after. */
  "wallet.create": Command<{ passphrase: string }, WalletView>;
  "wallet.import": Command<{ privateKey: string; passphrase: string }, WalletView>;
  "wallet.unlock": Command<{ passphrase: string }, WalletView>;
  /** Forgets the key in memory; a running session keeps its own. */
  "wallet.lock": Command<undefined, WalletView>;
  /** On `network` (eip155:…), else the session's chain, else the first reachable node's, else the local stack's. */
  "wallet.balances": Command<{ network?: string } | undefined, BalancesView>;
  "wallet.faucet": Command<{ network?: string } | undefined, FaucetView>;
  /** Probes every known node (cached for a few seconds unless `refresh`). */
  "nodes.list": Command<{ refresh?: boolean } | undefined, NodeView[]>;
  "nodes.add": Command<{ url: string }, NodeView[]>;
  "nodes.remove": Command<{ url: string }, NodeView[]>;
  "nodes.quote": Command<{ url: string; minutes: number }, QuoteView>;
  "session.status": Command<undefined, SessionSnapshot>;
  /** Pays for `minutes` (default: settings) and brings the tunnel up with the settings' driver, cap and renewal. */
  "session.connect": Command<{ nodeUrl: string; minutes?: number }, SessionSnapshot>;
  /** Closes the lease, takes the tunnel and its kill switch down, and records the session in History. */
  "session.disconnect": Command<undefined, { entry: HistoryEntry | null; snapshot: SessionSnapshot }>;
  /** After a paused (ended) session: a new lease on the same node with the current settings. */
  "session.resume": Command<undefined, SessionSnapshot>;
  /** Closes a lease an earlier run left behind (the state file) and removes its tunnel. */
  "session.closeRecorded": Command<undefined, { leaseId: string }>;
  "settings.get": Command<undefined, SettingsView>;
  "settings.update": Command<Partial<SettingsView>, SettingsView>;
  "history.list": Command<undefined, HistoryEntry[]>;
};

export type CommandInput<K extends CommandName> = Commands[K]["input"];
export type CommandOutput<K extends CommandName> = Commands[K]["output"];

// Both directions: a name without a type, or a type without a name, fails to compile.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const namesMatchTypes: Exact<CommandName, keyof Commands> = true;
void namesMatchTypes;

export function isCommandName(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}
