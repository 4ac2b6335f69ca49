// `npm run desktop:package -- [--linux | --mac | --win]`: desktop:build, then electron-builder with
// electron-builder.json (AppImage and deb, dmg, nsis). The Electron version is the one installed, read here
// because the workspace keeps it hoisted where electron-builder does not look. electron-builder downloads
// Electron for the target platform from GitHub, which these CI machines cannot reach.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDesktop } from "./buildDesktop.ts";
import { oneLine, runTool } from "./runTool.ts";

const desktopDir = fileURLToPath(new URL("../../", import.meta.url));
const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  await buildDesktop();
  const electron = JSON.parse(await readFile(require.resolve("electron/package.json"), "utf8")) as { version: string };
  const cli = join(dirname(require.resolve("electron-builder/package.json")), "cli.js");
  const args = [cli, "--projectDir", desktopDir, "--publish", "never", `-c.electronVersion=${electron.version}`];
  const run = await runTool(process.execPath, [...args, ...process.argv.slice(2)]);
  if (run.cause !== null) {
    console.error(`desktop:package failed: electron-builder: ${run.cause}`);
    process.exit(run.code === 0 ? 1 : run.code);
  }
}

main().catch((error: unknown) => {
  console.error(`desktop:package failed: ${oneLine(error)}`);
  process.exit(1);
});
