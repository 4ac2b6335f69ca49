import { BaseError, type BaseErrorOptions, ErrorCode, type WireError } from "@wg402/shared";

/** The client's codes live with every other wire code in `@wg402/shared`; this alias keeps call sites short. */
export const ClientErrorCode = ErrorCode;
export type ClientErrorCode = ErrorCode;

export type ClientErrorOptions = BaseErrorOptions;

/** Errors of the client SDK and CLI: shared's `BaseError`, so the desktop renders them like any wire error. */
export class ClientError extends BaseError {
  override name = "Wg402ClientError";

  toJSON(): WireError {
    return this.toWire();
  }
}

export function isClientError(error: unknown, ...codes: ClientErrorCode[]): error is ClientError {
  return error instanceof ClientError && (codes.length === 0 || codes.includes(error.code));
}

/** A node's `{ error, message }` answer as a ClientError; unknown codes become `node_error`. */
export function fromWireError(status: number, body: Partial<WireError> | undefined, what: string): ClientError {
  const known = typeof body?.error === "string" && body.error in ClientErrorCode;
  const code = known ? (body?.error as ClientErrorCode) : ClientErrorCode.node_error;
  const message = typeof body?.message === "string" && body.message ? body.message : `HTTP ${status}`;
  return new ClientError(`${what}: ${message}`, {
    code,
    details: body?.details === undefined ? { status } : { status, node: body.details },
  });
}
