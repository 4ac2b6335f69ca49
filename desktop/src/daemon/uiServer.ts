import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jsonErrorHandler, notFoundHandler, requireJson, sendError } from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import express, { type RequestHandler } from "express";
import { type CommandName, isCommandName } from "../api/commands.ts";
import type { Envelope } from "../api/envelope.ts";
import type { ApiEvent } from "../api/events.ts";
import { openEventStream } from "./eventStream.ts";
import { requireOwnHost, requireToken } from "./requestGuard.ts";
import { serveStaticFiles } from "./staticFiles.ts";

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

const log = { error: (obj: object, msg: string) => console.error(`wg402-ui: ${msg}`, obj) };

/**
 * The client API over HTTP for a browser on the same machine: `POST /api/commands/<name>` and the SSE stream
 * `GET /api/events`, both behind a per-launch token (`Authorization: Bearer …`) and a Host check; the built
 * UI as static files behind the Host check. Builds and never listens until asked.
 */
export function createUiServer(options: UiServerOptions): UiServer {
  const token = options.token ?? randomBytes(32).toString("base64url");
  const app = express();
  const server = createServer(app);
  const port = () => (server.address() as AddressInfo | null)?.port ?? 0;
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use(envelopeErrors, (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  app.use(requireOwnHost(port));

  const api = express.Router();
  api.use((_req, res, next) => {
    res.set("cache-control", "no-store");
    next();
  }, requireToken(token));
  api.all("/events", (req, res, next) => {
    if (req.method !== "GET") return methodNotAllowed(req, res, next);
    openEventStream(res, (listener) => options.backend.subscribe(listener));
  });
  api.all(
    "/commands/:name",
    (req, res, next) => {
      const { name } = req.params;
      if (typeof name !== "string" || !isCommandName(name))
        return sendError(res, ErrorCode.not_found, `there is no API route ${req.originalUrl}`);
      if (req.method !== "POST") return methodNotAllowed(req, res, next);
      next();
    },
    requireJson,
    declaresJson,
    express.json({ limit: options.bodyLimitBytes ?? 65_536, strict: false }),
    async (req, res) => {
      const envelope = await options.backend.call(req.params.name as CommandName, req.body);
      if (envelope.ok) res.json(envelope);
      else sendError(res, envelope.error.error, envelope.error.message, envelope.error.details);
    },
  );
  api.use(notFoundHandler);
  app.use("/api", api);
  app.use(serveStaticFiles(options.staticDir));
  app.use(jsonErrorHandler(log));

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

/**
 * Every answer is an envelope, so a UI reads one shape whatever refused it: the kit's `{ error, message }`
 * bodies (from the guards, the body parser, the error handler) travel as the envelope's failure half.
 */
const envelopeErrors: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => json(res.statusCode >= 400 ? { ok: false, error: body } : body);
  next();
};

/** `requireJson` checks bodies; a command sent without one must still say it is JSON, so no form post passes. */
const declaresJson: RequestHandler = (req, res, next) => {
  if (/^application\/json\b/i.test(req.headers["content-type"] ?? "")) return next();
  sendError(res, ErrorCode.unsupported_media_type, "commands take a JSON body (content-type: application/json)");
};

const methodNotAllowed: RequestHandler = (_req, res) => {
  sendError(res, ErrorCode.method_not_allowed, "this route does not take that method");
};
