import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

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
