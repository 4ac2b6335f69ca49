// How a command's result travels over either transport. Errors are data, not thrown across the boundary:
// Electron IPC keeps only an Error's message, and the stable code must reach the UI intact.
import type { WireError } from "@wg402/shared";
import { BaseError } from "@wg402/shared/errors";
import type { CommandName, CommandOutput } from "./commands.ts";

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: WireError };

export type CommandEnvelope<K extends CommandName> = Envelope<CommandOutput<K>>;

/** A command's failure on the UI side: the project's one error shape, rebuilt from the wire. */
export class ApiError extends BaseError {
  override name = "ApiError";

  constructor(wire: WireError, options: { cause?: unknown } = {}) {
    super(wire.message, { code: wire.error, details: wire.details, cause: options.cause });
  }
}

/** Any failure a UI meets, as the `{ error, message }` it shows: an ApiError's own, anything else internal. */
export function wireErrorOf(error: unknown): WireError {
  if (error instanceof ApiError) return error.toWire();
  return { error: "internal_error", message: error instanceof Error ? error.message : String(error) };
}
