import { BaseError, ErrorCode, type WireError } from "@wg402/shared";

/** Errors of the client SDK and CLI: shared's `BaseError`, so the desktop renders them like any wire error. */
export class ClientError extends BaseError {
  override name = "Wg402ClientError";

  toJSON(): WireError {
    return this.toWire();
  }
}

export function isClientError(error: unknown, ...codes: ErrorCode[]): error is ClientError {
  return error instanceof ClientError && (codes.length === 0 || codes.includes(error.code));
}

/** A node's `{ error, message }` answer as a ClientError; unknown codes become `node_error`. */
export function fromWireError(status: number, body: Partial<WireError> | undefined, what: string): ClientError {
  const known = typeof body?.error === "string" && body.error in ErrorCode;
  const code = known ? (body?.error as ErrorCode) : ErrorCode.node_error;
  const message = typeof body?.message === "string" && body.message ? body.message : `HTTP ${status}`;
  return new ClientError(`${what}: ${message}`, {
    code,
    details: body?.details === undefined ? { status } : { status, node: body.details },
  });
}
