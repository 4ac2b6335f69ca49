// `npm run desktop:build`: the renderer (vite) and Electron's main and preload bundles (esbuild) into
// dist/app, with a package.json of its own, which is what electron-builder packages. The bundles carry
// the client core and its dependencies, so the packaged app needs no node_modules.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildRenderer } from "./ensureRendererBuild.ts";
import { oneLine } from "./runTool.ts";

const desktopDir = fileURLToPath(new URL("../../", import.meta.url));
const appDir = join(desktopDir, "dist", "app");

export async function buildDesktop(): Promise<{ appDir: string }> {
  const pkg = JSON.parse(await readFile(join(desktopDir, "package.json"), "utf8")) as { version: string };
  await buildRenderer(join(appDir, "renderer"));

  const common = {
    bundle: true,
    platform: "node" as const,
    target: "node22",
    // Electron provides it; `electron` in node_modules is only its downloader.
    external: ["electron"],
    sourcemap: false,
    legalComments: "none" as const,
    logLevel: "warning" as const,
  };
  await build({
    ...common,
    entryPoints: [join(desktopDir, "src", "electron", "main.ts")],
    outfile: join(appDir, "electron", "main.mjs"),
    format: "esm",
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: {
      js: 'import { createRequire as __wg402Require } from "node:module"; const require = __wg402Require(import.meta.url);',
    },
  });
  // Sandboxed preloads must be CommonJS and may only require "electron".
  await build({
    ...common,
    entryPoints: [join(desktopDir, "src", "electron", "preload.ts")],
    outfile: join(appDir, "electron", "preload.cjs"),
    format: "cjs",
  });

  await mkdir(appDir, { recursive: true });
  await writeFile(
    join(appDir, "package.json"),
    `${JSON.stringify(
      {
        name: "wg402-desktop",
        productName: "wg402",
        version: pkg.version,
        description: "Pay-as-you-go WireGuard VPN paid per minute over x402",
        author: { name: "wg402", email: "wg402@users.noreply.github.com" },
        homepage: "https://github.com/wg402/wg402",
        license: "MIT",
        type: "module",
        main: "electron/main.mjs",
      },
      null,
      2,
    )}\n`,
  );
  return { appDir };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildDesktop().then(
    ({ appDir: dir }) => console.log(`built ${dir} (renderer, electron/main.mjs, electron/preload.cjs)`),
    (error: unknown) => {
      console.error(`desktop:build failed: ${oneLine(error)}`);
      process.exit(1);
    },
  );
}
