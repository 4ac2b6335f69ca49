// The one interface both transports implement: the Electron preload bridge and the HTTP daemon client.
import type { CommandInput, CommandName } from "./commands.ts";
import type { CommandEnvelope } from "./envelope.ts";
import type { ApiEvent } from "./events.ts";

export type EventListener = (event: ApiEvent) => void;

/** Transport status, so a lost daemon is shown instead of a frozen screen. */
export type LinkState = "connecting" | "open" | "lost";

export type ClientApi = {
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandEnvelope<K>>;
  /** Subscribes to the event stream; returns the unsubscribe function. */
  subscribe(listener: EventListener, onLink?: (state: LinkState) => void): () => void;
};

/** What the preload exposes as `window.wg402`. */
export type PreloadBridge = {
  invoke(name: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
};
