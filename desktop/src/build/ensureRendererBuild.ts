// Builds the renderer with vite when its output is missing or older than its sources, so tests and
// `npm run ui` never serve a stale UI (or none) by accident.
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const desktopDir = fileURLToPath(new URL("../../", import.meta.url));
const rendererSourceDir = join(desktopDir, "src", "ui");
export const defaultRendererOutDir = join(desktopDir, "dist", "app", "renderer");
const viteConfig = join(desktopDir, "vite.config.ts");

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** The renderer's own sources and what it imports: the API types, the client's runtime helpers, the error shape. */
async function sourcesMtime(): Promise<number> {
  const parts = [
    rendererSourceDir,
    join(desktopDir, "src", "api"),
    join(desktopDir, "..", "client", "src", "runtime"),
    join(desktopDir, "..", "shared", "src", "errors.ts"),
    viteConfig,
  ];
  return Math.max(...(await Promise.all(parts.map(newestMtime))));
}

export async function rendererBuildIsFresh(outDir = defaultRendererOutDir): Promise<boolean> {
  try {
    const built = (await stat(join(outDir, "index.html"))).mtimeMs;
    return built >= (await sourcesMtime());
  } catch {
    return false;
  }
}

/** Runs `vite build` in a child process (vite's native bundler stays out of the caller's module system). */
export async function buildRenderer(outDir = defaultRendererOutDir): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  await promisify(execFile)(
    process.execPath,
    [vite, "build", "--config", viteConfig, "--outDir", outDir, "--emptyOutDir"],
    {
      cwd: desktopDir,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** Builds unless a fresh build is already there; returns the directory to serve. */
export async function ensureRendererBuild(outDir = defaultRendererOutDir): Promise<{ dir: string; built: boolean }> {
  if (await rendererBuildIsFresh(outDir)) return { dir: outDir, built: false };
  await buildRenderer(outDir);
  return { dir: outDir, built: true };
}
