import { timingSafeEqual } from "node:crypto";
import { ErrorCode, type WireError } from "@wg402/shared";

export type GuardedRequest = {
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
};

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; error: WireError };

/** The Host values this server answers to: its own loopback address and port, nothing else. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * A web page on any other site can make the browser send requests to 127.0.0.1, and DNS rebinding can make
 * them look same-origin; the Host check refuses the second, the token the first. Static files need only the
 * Host check (they hold no secret); the API needs both.
 */
export function checkHost(request: GuardedRequest, port: number): GuardVerdict {
  const hosts = allowedHosts(port);
  if (!request.host || !hosts.includes(request.host.toLowerCase())) {
    return forbidden(`this service only answers requests addressed to ${hosts[0]}`);
  }
  // "null" is what sandboxed frames, file: and data: pages send: pages that are not the app.
  if (request.origin !== undefined) {
    const allowed = hosts.map((h) => `http://${h}`);
    if (!allowed.includes(request.origin.toLowerCase())) {
      return forbidden("requests from other web sites are refused");
    }
  }
  return { ok: true };
}

export function checkToken(request: GuardedRequest, token: string): GuardVerdict {
  const given = /^Bearer (.+)$/.exec(request.authorization ?? "")?.[1];
  if (!given || !sameSecret(given, token)) {
    return {
      ok: false,
      status: 401,
      error: {
        error: ErrorCode.unauthorized,
        message: "this request lacks the app's access token; open the URL the app printed, which carries it",
      },
    };
  }
  return { ok: true };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function forbidden(message: string): GuardVerdict {
  return { ok: false, status: 403, error: { error: ErrorCode.forbidden, message } };
}
