import { createHash, timingSafeEqual } from "node:crypto";
import { ErrorCode } from "@wg402/shared";
import { sendError } from "@wg402/shared/http";
import type { RequestHandler } from "express";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Bearer API keys for `/verify` and `/settle`, so an operator's facilitator is not free gas for strangers.
 * With no keys configured the routes are open (the local default). Keys are compared as digests in
 * constant time.
 */
export function apiKeyAuth(keys: string[]): RequestHandler {
  const digests = keys.map(digest);
  return (req, res, next) => {
    if (digests.length === 0) return next();
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="wg402-facilitator"');
      return sendError(
        res,
        401,
        ErrorCode.unauthorized,
        "this facilitator requires an API key (Authorization: Bearer <key>)",
      );
    }
    const given = digest(match[1] as string);
    if (!digests.some((known) => timingSafeEqual(known, given))) {
      return sendError(res, 401, ErrorCode.unauthorized, "unknown API key");
    }
    next();
  };
}
