import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode, type WireError } from "@wg402/shared";
import { type CommandName, isCommandName } from "../api/commands.ts";
import type { Envelope } from "../api/envelope.ts";
import type { ApiEvent } from "../api/events.ts";
import { openEventStream } from "./eventStream.ts";
import { checkHost, checkToken } from "./requestGuard.ts";
import { readStaticFile } from "./staticFiles.ts";

/** What the server needs of the host: the same two calls Electron's main process makes. */
export type UiBackend = {
  call(name: CommandName, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
};

export type UiServerOptions = {
  backend: UiBackend;
  /** The built renderer (vite's output). */
  staticDir: string;
  /** Per launch; a fresh random one when omitted. */
  token?: string;
  bodyLimitBytes?: number;
};

export type UiServer = {
  server: Server;
  token: string;
  /** Listens on 127.0.0.1 and resolves with the URL to open, token included (in the fragment). */
  listen(port: number): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
};

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/**
 * The client API over HTTP for a browser on the same machine: `POST /api/commands/<name>` and the SSE stream
 * `GET /api/events`, both behind a per-launch token (`Authorization: Bearer …`) and a Host check; the built
 * UI as static files behind the Host check. Builds and never listens until asked.
 */
export function createUiServer(options: UiServerOptions): UiServer {
  const token = options.token ?? randomBytes(32).toString("base64url");
  const limit = options.bodyLimitBytes ?? 65_536;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      console.error("wg402-ui: request failed:", error);
      if (!response.headersSent) {
        send(response, 500, {
          ok: false,
          error: { error: ErrorCode.internal_error, message: "the UI service failed to answer" },
        });
      } else response.end();
    });
  });

  const port = () => (server.address() as AddressInfo | null)?.port ?? 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const headers = {
      host: request.headers.host,
      origin: request.headers.origin,
      authorization: request.headers.authorization,
    };
    const host = checkHost(headers, port());
    if (!host.ok) return fail(response, host.status, host.error);
    const path = (request.url ?? "/").split("?")[0] ?? "/";

    if (path.startsWith("/api/")) {
      response.setHeader("cache-control", "no-store");
      const auth = checkToken(headers, token);
      if (!auth.ok) return fail(response, auth.status, auth.error);
      if (path === "/api/events") {
        if (request.method !== "GET") return methodNotAllowed(response);
        return openEventStream(response, (listener) => options.backend.subscribe(listener));
      }
      const command = /^\/api\/commands\/([a-z.]+)$/i.exec(path)?.[1];
      if (!command || !isCommandName(command)) {
        return fail(response, 404, { error: ErrorCode.not_found, message: `there is no API route ${path}` });
      }
      if (request.method !== "POST") return methodNotAllowed(response);
      if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
        return fail(response, 415, {
          error: ErrorCode.unsupported_media_type,
          message: "commands take a JSON body (content-type: application/json)",
        });
      }
      const body = await readBody(request, limit);
      if (body === "too_large") {
        return fail(response, 413, { error: ErrorCode.payload_too_large, message: "the request body is too large" });
      }
      let input: unknown;
      try {
        input = body.length === 0 ? undefined : JSON.parse(body);
      } catch {
        return fail(response, 400, { error: ErrorCode.invalid_json, message: "the request body is not valid JSON" });
      }
      const envelope = await options.backend.call(command, input);
      return send(response, envelope.ok ? 200 : statusFor(envelope.error), envelope);
    }

    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(response);
    const file = await readStaticFile(options.staticDir, path);
    if (!file) {
      if (path === "/" || path === "/index.html") return notBuilt(response, options.staticDir);
      return fail(response, 404, { error: ErrorCode.not_found, message: `no such file: ${path}` });
    }
    response.writeHead(200, {
      "content-type": file.type,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ...(file.type.startsWith("text/html") ? { "content-security-policy": CSP } : {}),
    });
    response.end(request.method === "HEAD" ? undefined : file.body);
  }

  return {
    server,
    token,
    listen: (wanted) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(wanted, "127.0.0.1", () => {
          server.off("error", reject);
          const actual = port();
          resolve({ url: `http://127.0.0.1:${actual}/#token=${token}`, port: actual });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Event streams never end on their own.
        server.closeAllConnections();
      }),
  };
}

function statusFor(error: WireError): number {
  if (error.error === ErrorCode.internal_error) return 500;
  if (error.error === ErrorCode.not_found) return 404;
  // The request was understood; the core refused it. The envelope says why.
  return 422;
}

function readBody(request: IncomingMessage, limit: number): Promise<string | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(over ? "too_large" : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, error: WireError): void {
  send(response, status, { ok: false, error });
}

function methodNotAllowed(response: ServerResponse): void {
  fail(response, 405, { error: ErrorCode.method_not_allowed, message: "this route does not take that method" });
}

function notBuilt(response: ServerResponse, dir: string): void {
  response.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
  response.end(`The wg402 UI is not built (nothing in ${dir}). Run: npm run desktop:build\n`);
}
