import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { BaseError, ErrorCode, type WireError } from "../errors.ts";
import { httpStatusFor, retryAfterSeconds } from "../httpStatus.ts";

/** Sends the project's `{ error, message }` body. */
export function sendError(res: Response, status: number, code: ErrorCode, message: string, details?: unknown): void {
  const body: WireError = details === undefined ? { error: code, message } : { error: code, message, details };
  res.status(status).json(body);
}

/** A domain error as the wire sees it: the status its code maps to, and when to retry if that applies. */
export function sendDomainError(res: Response, error: BaseError): void {
  const retryAfter = retryAfterSeconds[error.code];
  if (retryAfter !== undefined) res.setHeader("Retry-After", String(retryAfter));
  sendError(res, httpStatusFor[error.code], error.code, error.shortMessage, error.details);
}

/** An error that carries its HTTP status, thrown by handlers and rendered by {@link jsonErrorHandler}. */
export class HttpError extends BaseError {
  readonly status: number;
  constructor(status: number, code: ErrorCode, message: string, details?: unknown) {
    super(message, { code, details });
    this.status = status;
  }
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, ErrorCode.not_found, `no route for ${req.method} ${req.path}`);
};

type BodyParserError = Error & { type?: string; status?: number; limit?: number };

/**
 * The last middleware of every service: body-parser failures become 400/413/415 with stable codes,
 * `HttpError`s keep their status, and anything else is a 500 whose message is hidden from the caller.
 */
export function jsonErrorHandler(log: { error: (obj: object, msg: string) => void }): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof HttpError) {
      sendError(res, error.status, error.code, error.shortMessage, error.details);
      return;
    }
    if (error instanceof BaseError) {
      sendDomainError(res, error);
      return;
    }
    const parserError = error as BodyParserError;
    switch (parserError?.type) {
      case "entity.parse.failed":
        sendError(res, 400, ErrorCode.invalid_json, "the request body is not valid JSON");
        return;
      case "entity.too.large":
        sendError(res, 413, ErrorCode.payload_too_large, `the request body exceeds ${parserError.limit} bytes`);
        return;
      case "encoding.unsupported":
      case "charset.unsupported":
        sendError(res, 415, ErrorCode.unsupported_media_type, parserError.message);
        return;
    }
    if (typeof parserError?.status === "number" && parserError.status >= 400 && parserError.status < 500) {
      sendError(res, parserError.status, ErrorCode.invalid_request, parserError.message);
      return;
    }
    log.error({ err: error }, "unhandled error");
    sendError(res, 500, ErrorCode.internal_error, "internal error");
  };
}

/** Requires a JSON body on write requests, so a form post or text body is refused with a clear 415. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") {
    const length = Number(req.headers["content-length"] ?? 0);
    if ((length > 0 || req.headers["transfer-encoding"]) && !req.is("application/json")) {
      sendError(res, 415, ErrorCode.unsupported_media_type, "send the body as application/json");
      return;
    }
  }
  next();
};
