import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { sendError } from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import type { RequestHandler } from "express";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

export type StaticFile = { body: Buffer; type: string; immutable: boolean };

/** A file of the built UI, or null. Paths that climb out of `root` are never read. */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.split("?")[0] ?? "/");
  } catch {
    return null;
  }
  if (relative.includes("\0")) return null;
  if (relative === "/" || relative === "") relative = "/index.html";
  const full = normalize(join(root, relative));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    if (!(await stat(full)).isFile()) return null;
    return {
      body: await readFile(full),
      type: TYPES[extname(full)] ?? "application/octet-stream",
      // Vite puts a content hash in every asset name.
      immutable: relative.startsWith("/assets/"),
    };
  } catch {
    return null;
  }
}

/** The built UI, the page under a strict content security policy; a missing build says how to make one. */
export function serveStaticFiles(root: string): RequestHandler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendError(res, ErrorCode.method_not_allowed, "this route does not take that method");
      return;
    }
    const file = await readStaticFile(root, req.path);
    if (!file) {
      if (req.path === "/" || req.path === "/index.html") {
        res
          .status(503)
          .type("text/plain; charset=utf-8")
          .send(`The wg402 UI is not built (nothing in ${root}). Run: npm run desktop:build\n`);
        return;
      }
      sendError(res, ErrorCode.not_found, `no such file: ${req.path}`);
      return;
    }
    res.status(200).set({
      "content-type": file.type,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ...(file.type.startsWith("text/html") ? { "content-security-policy": CSP } : {}),
    });
    res.send(file.body);
  };
}
