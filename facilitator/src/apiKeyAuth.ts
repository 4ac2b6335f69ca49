import { createHash, timingSafeEqual } from "node:crypto";
import { sendError } from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import type { Request, RequestHandler } from "express";

const digest = (value: string) => createHash("sha256").update(value).digest();

export type ApiKeyCheck = (req: Request) => "valid" | "missing" | "unknown";

/** How a request's bearer key compares with the configured keys. Keys are compared as digests in constant time. */
export function apiKeyCheck(keys: string[]): ApiKeyCheck {
  const digests = keys.map(digest);
  return (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match) return "missing";
    const given = digest(match[1] as string);
    return digests.some((known) => timingSafeEqual(known, given)) ? "valid" : "unknown";
  };
}

/**
 * Bearer API keys for `/verify` and `/settle`, so an operator's facilitator is not free gas for strangers.
 * With no keys configured the routes are open (the local default).
 */
export function apiKeyAuth(keys: string[], check: ApiKeyCheck = apiKeyCheck(keys)): RequestHandler {
  return (req, res, next) => {
    if (keys.length === 0) return next();
    const verdict = check(req);
    if (verdict === "missing") {
      res.setHeader("WWW-Authenticate", 'Bearer realm="wg402-facilitator"');
      return sendError(
        res,
        ErrorCode.unauthorized,
        "this facilitator requires an API key (Authorization: Bearer <key>)",
      );
    }
    if (verdict === "unknown") return sendError(res, ErrorCode.unauthorized, "unknown API key");
    next();
  };
}
