// Every IPC channel the app uses, derived from the command names (electron/fiddle's one list): the preload
// and main take them from here; nothing else may name a channel. Type imports only, so the sandboxed
// preload that uses this carries no copy of the command registry (and of zod).
import type { CommandName } from "../api/commands.ts";

/** Renderer → main, one channel per command. */
export type CommandChannel = `wg402:${CommandName}`;

export function commandChannel<K extends CommandName>(name: K): `wg402:${K}` {
  return `wg402:${name}`;
}

/** Main → renderer: the API event stream. */
export const eventChannel = "wg402:event";
