// How a command's result travels over either transport. Errors are data, not thrown across the boundary:
// Electron IPC keeps only an Error's message, and the stable code must reach the UI intact.
import type { WireError } from "@wg402/shared";
import type { CommandName, CommandOutput } from "./commands.ts";

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: WireError };

export type CommandEnvelope<K extends CommandName> = Envelope<CommandOutput<K>>;

/** A command's failure on the UI side: the core's sentence and its stable code. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly code: WireError["error"];
  readonly details: unknown;

  constructor(wire: WireError) {
    super(wire.message);
    this.code = wire.error;
    this.details = wire.details;
  }

  toWire(): WireError {
    return { error: this.code, message: this.message };
  }
}
