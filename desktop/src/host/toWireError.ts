import { BaseError, ErrorCode, type WireError } from "@wg402/shared";
import { ZodError } from "zod";

/**
 * Any failure as the `{ error, message }` a UI shows: the core's own sentence and stable code when it has
 * one. Details that are not plain JSON are dropped rather than sent half-serialized.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof BaseError) {
    const wire = error.toWire();
    return { error: wire.error, message: wire.message, ...(isJson(wire.details) ? { details: wire.details } : {}) };
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    return { error: ErrorCode.invalid_argument, message: `${where}${issue?.message ?? "invalid input"}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: ErrorCode.internal_error, message: `something unexpected failed inside the app: ${message}` };
}

function isJson(value: unknown): boolean {
  if (value === undefined) return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
