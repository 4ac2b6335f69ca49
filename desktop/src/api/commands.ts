// The command half of the client API, in one registry: each command's name, its input schema (zod, checked
// in the host) and the type of its result. Everything else is derived from it: the names, the input and
// output types, the IPC channels, the daemon's routes. Electron IPC, the HTTP daemon and the renderer all
// type-check against it.
import { z } from "zod";
import {
  AccountIndex,
  ChannelId,
  LeaseId,
  Megabytes,
  Minutes,
  Network,
  NewPassphrase,
  Nothing,
  optional,
  Passphrase,
  SettingsPatch,
  Url,
} from "./inputs.ts";
import type {
  AddressQrView,
  AppInfo,
  BalancesView,
  ChannelView,
  ClosedSummary,
  FaucetView,
  HistoryEntry,
  KeystoreExportView,
  NodeView,
  QuoteView,
  ReceiptsExportView,
  SessionSnapshot,
  SettingsView,
  WalletView,
  WithdrawnView,
  WithdrawStartedView,
} from "./views.ts";

/** A command's input schema, with its result type riding along (there is no value to check it against). */
type CommandSpec<I extends z.ZodType, O> = { readonly input: I; readonly output?: O };

const command = <I extends z.ZodType>(input: I) => ({ returns: <O>(): CommandSpec<I, O> => ({ input }) });

export const commands = {
  "app.info": command(Nothing).returns<AppInfo>(),
  "wallet.status": command(Nothing).returns<WalletView>(),
  /**
   * A new key, encrypted with the passphrase into the keystore file; the wallet is unlocked after. The
   * passphrase is typed twice (`passphrase_mismatch`) and must pass the client's rule (`weak_passphrase`).
   */
  "wallet.create": command(z.strictObject(NewPassphrase)).returns<WalletView>(),
  /** A private key, or account `accountIndex` (default 0) of a BIP-39 recovery phrase, into a new keystore. */
  "wallet.import": command(
    z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("privateKey"), privateKey: z.string().max(200), ...NewPassphrase }),
      z.strictObject({
        kind: z.literal("mnemonic"),
        mnemonic: z.string().max(1_000),
        accountIndex: AccountIndex.optional(),
        ...NewPassphrase,
      }),
    ]),
  ).returns<WalletView>(),
  /** The keystore file, still encrypted with its passphrase (no passphrase needed to read it). */
  "wallet.export": command(Nothing).returns<KeystoreExportView>(),
  /** The address as a QR code, to send funds from a phone. */
  "wallet.qr": command(Nothing).returns<AddressQrView>(),
  "wallet.unlock": command(z.strictObject({ passphrase: Passphrase })).returns<WalletView>(),
  /** Forgets the key in memory; a running session keeps its own. */
  "wallet.lock": command(Nothing).returns<WalletView>(),
  /** On `network` (eip155:…), else the session's chain, else the first reachable node's, else the local stack's. */
  "wallet.balances": command(optional({ network: Network.optional() })).returns<BalancesView>(),
  "wallet.faucet": command(optional({ network: Network.optional() })).returns<FaucetView>(),
  /** Probes every known node (cached for a few seconds unless `refresh`). */
  "nodes.list": command(optional({ refresh: z.boolean().optional() })).returns<NodeView[]>(),
  "nodes.add": command(z.strictObject({ url: Url })).returns<NodeView[]>(),
  "nodes.remove": command(z.strictObject({ url: Url })).returns<NodeView[]>(),
  /** The node's price for `minutes` and/or `megabytes` (at least one; a data quote leaves minutes out). */
  "nodes.quote": command(
    z
      .strictObject({ url: Url, minutes: Minutes.optional(), megabytes: Megabytes.optional() })
      .refine((q) => q.minutes !== undefined || q.megabytes !== undefined, {
        message: "quote minutes, megabytes or both",
        path: ["minutes"],
      }),
  ).returns<QuoteView>(),
  "session.status": command(Nothing).returns<SessionSnapshot>(),
  /**
   * Pays for `minutes` and/or `megabytes` (neither: the settings' plan) and brings the tunnel up with the
   * settings' driver, cap and renewal. Megabytes alone make a data lease, both a hybrid one.
   */
  "session.connect": command(
    z.strictObject({ nodeUrl: Url, minutes: Minutes.optional(), megabytes: Megabytes.optional() }),
  ).returns<SessionSnapshot>(),
  /** Closes the lease, takes the tunnel and its kill switch down, and records the session in History. */
  "session.disconnect": command(Nothing).returns<{
    entry: HistoryEntry | null;
    summary: ClosedSummary | null;
    snapshot: SessionSnapshot;
  }>(),
  /** After a paused (ended) session: a new lease on the same node with the current settings. */
  "session.resume": command(Nothing).returns<SessionSnapshot>(),
  /** Closes a lease an earlier run left behind (the state file) and removes its tunnel. */
  "session.closeRecorded": command(Nothing).returns<{ leaseId: string }>(),
  "settings.get": command(Nothing).returns<SettingsView>(),
  "settings.update": command(SettingsPatch).returns<SettingsView>(),
  "history.list": command(Nothing).returns<HistoryEntry[]>(),
  /**
   * The receipts the nodes gave (WG402_HOME/receipts.jsonl), all or one lease's, as a JSON file: each as the
   * core kept it, with its signature checked again now. A damaged receipt file is an error, never a shorter file.
   */
  "receipts.export": command(optional({ leaseId: LeaseId.optional() })).returns<ReceiptsExportView>(),
  /** The escrow channels this wallet has paid on (this WG402_HOME's), as the chain has them now. */
  "channels.list": command(Nothing).returns<ChannelView[]>(),
  /**
   * The escape hatch from a node that is gone: starts the escrow's withdrawal of everything above the claims
   * (the wallet sends it and pays its gas); the node may still claim what it is owed until `finalizableAt`.
   */
  "channels.withdraw": command(z.strictObject({ channelId: ChannelId })).returns<WithdrawStartedView>(),
  /** Completes a started withdrawal once its delay has passed: the escrow pays out what is left. */
  "channels.finalize": command(z.strictObject({ channelId: ChannelId })).returns<WithdrawnView>(),
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
/** What a command's handler is given: its input once checked. */
export type CommandInput<K extends CommandName> = z.output<Commands[K]["input"]>;
export type CommandOutput<K extends CommandName> = Exclude<Commands[K]["output"], undefined>;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(commands, value);
}
