import { ErrorCode, httpStatusFor, isWireError, retryAfterSeconds, type WireError } from "@wg402/shared";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";

/** Sends the project's `{ error, message }` body with the status its code maps to. */
export function sendError(res: Response, code: ErrorCode, message: string, details?: unknown): void {
  const retryAfter = retryAfterSeconds[code];
  if (retryAfter !== undefined && !res.hasHeader("Retry-After")) res.setHeader("Retry-After", String(retryAfter));
  const body: WireError = details === undefined ? { error: code, message } : { error: code, message, details };
  res.status(httpStatusFor[code]).json(body);
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, ErrorCode.not_found, `no route for ${req.method} ${req.path}`);
};

type BodyParserError = Error & { type?: string; status?: number; limit?: number };

/**
 * The last middleware of every service, and the only place an error becomes a status: domain errors by
 * their code, body-parser failures as 400/413/415, anything else a 500 whose message is hidden.
 */
export function jsonErrorHandler(log: { error: (obj: object, msg: string) => void }): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (isWireError(error)) {
      sendError(res, error.code, error.shortMessage, error.details);
      return;
    }
    const parserError = error as BodyParserError;
    switch (parserError?.type) {
      case "entity.parse.failed":
        sendError(res, ErrorCode.invalid_json, "the request body is not valid JSON");
        return;
      case "entity.too.large":
        sendError(res, ErrorCode.payload_too_large, `the request body exceeds ${parserError.limit} bytes`);
        return;
      case "encoding.unsupported":
      case "charset.unsupported":
        sendError(res, ErrorCode.unsupported_media_type, parserError.message);
        return;
    }
    if (typeof parserError?.status === "number" && parserError.status >= 400 && parserError.status < 500) {
      sendError(res, ErrorCode.invalid_request, parserError.message);
      return;
    }
    log.error({ err: error }, "unhandled error");
    sendError(res, ErrorCode.internal_error, "internal error");
  };
}

/** Requires a JSON body on write requests, so a form post or text body is refused with a clear 415. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") {
    const length = Number(req.headers["content-length"] ?? 0);
    if ((length > 0 || req.headers["transfer-encoding"]) && !req.is("application/json")) {
      sendError(res, ErrorCode.unsupported_media_type, "send the body as application/json");
      return;
    }
  }
  next();
};
