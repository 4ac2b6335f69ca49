// Every IPC channel the app uses, in one list (electron/fiddle's habit). The preload and main import it;
// nothing else may name a channel.
import type { CommandName } from "../api/commands.ts";

export const ipcChannels = [
  "wg402:app.info",
  "wg402:wallet.status",
  "wg402:wallet.create",
  "wg402:wallet.import",
  "wg402:wallet.unlock",
  "wg402:wallet.lock",
  "wg402:wallet.balances",
  "wg402:wallet.faucet",
  "wg402:nodes.list",
  "wg402:nodes.add",
  "wg402:nodes.remove",
  "wg402:nodes.quote",
  "wg402:session.status",
  "wg402:session.connect",
  "wg402:session.disconnect",
  "wg402:session.resume",
  "wg402:session.closeRecorded",
  "wg402:settings.get",
  "wg402:settings.update",
  "wg402:history.list",
  "wg402:event",
] as const;

export type IpcChannel = (typeof ipcChannels)[number];

/** Main → renderer: the API event stream. */
export const eventChannel = "wg402:event" satisfies IpcChannel;

/** Renderer → main, one channel per command; the Record makes the mapping exhaustive. */
export const commandChannels: Record<CommandName, IpcChannel> = {
  "app.info": "wg402:app.info",
  "wallet.status": "wg402:wallet.status",
  "wallet.create": "wg402:wallet.create",
  "wallet.import": "wg402:wallet.import",
  "wallet.unlock": "wg402:wallet.unlock",
  "wallet.lock": "wg402:wallet.lock",
  "wallet.balances": "wg402:wallet.balances",
  "wallet.faucet": "wg402:wallet.faucet",
  "nodes.list": "wg402:nodes.list",
  "nodes.add": "wg402:nodes.add",
  "nodes.remove": "wg402:nodes.remove",
  "nodes.quote": "wg402:nodes.quote",
  "session.status": "wg402:session.status",
  "session.connect": "wg402:session.connect",
  "session.disconnect": "wg402:session.disconnect",
  "session.resume": "wg402:session.resume",
  "session.closeRecorded": "wg402:session.closeRecorded",
  "settings.get": "wg402:settings.get",
  "settings.update": "wg402:settings.update",
  "history.list": "wg402:history.list",
};
