import { timingSafeEqual } from "node:crypto";
import { sendError } from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import type { RequestHandler } from "express";

/** The Host values this server answers to: its own loopback address and port, nothing else. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * A web page on any other site can make the browser send requests to 127.0.0.1, and DNS rebinding can make
 * them look same-origin; the Host check refuses the second, the token the first. Static files need only the
 * Host check (they hold no secret); the API needs both.
 */
export function requireOwnHost(port: () => number): RequestHandler {
  return (req, res, next) => {
    const hosts = allowedHosts(port());
    const host = req.headers.host;
    if (!host || !hosts.includes(host.toLowerCase())) {
      sendError(res, ErrorCode.forbidden, `this service only answers requests addressed to ${hosts[0]}`);
      return;
    }
    // "null" is what sandboxed frames, file: and data: pages send: pages that are not the app.
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.map((h) => `http://${h}`).includes(origin.toLowerCase())) {
      sendError(res, ErrorCode.forbidden, "requests from other web sites are refused");
      return;
    }
    next();
  };
}

export function requireToken(token: string): RequestHandler {
  return (req, res, next) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!given || !sameSecret(given, token)) {
      sendError(
        res,
        ErrorCode.unauthorized,
        "this request lacks the app's access token; open the URL the app printed, which carries it",
      );
      return;
    }
    next();
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
