// The UI daemon (`npm run ui`): the client API and the built React UI on 127.0.0.1, behind a per-launch
// token. Prints `ui  <URL>` (the token is in the URL's fragment), or hands the URL to the parent process.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BaseError } from "@wg402/shared";
import { ensureRendererBuild } from "../build/ensureRendererBuild.ts";
import { type DesktopConfig, defaultStaticDir, loadDesktopConfig } from "../host/desktopConfig.ts";
import { DesktopHost } from "../host/desktopHost.ts";
import { createUiServer } from "./uiServer.ts";

async function main(): Promise<void> {
  let config: DesktopConfig;
  try {
    config = loadDesktopConfig();
  } catch (error) {
    console.error(error instanceof BaseError ? `wg402-ui: ${error.message}` : error);
    process.exit(2);
  }
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  // In a checkout the UI is built on first use (and rebuilt when its sources changed); a UI elsewhere is
  // served as it is.
  if (config.WG402_UI_STATIC_DIR === defaultStaticDir) {
    await ensureRendererBuild(defaultStaticDir).catch((error: unknown) =>
      console.error(
        `wg402-ui: could not build the UI (${error instanceof Error ? error.message.split("\n")[0] : error}); run: npm run desktop:build`,
      ),
    );
  }
  const host = await DesktopHost.create({ config, env: process.env, transport: "daemon", version });
  const ui = createUiServer({ backend: host, staticDir: config.WG402_UI_STATIC_DIR });
  const { url } = await ui.listen(config.WG402_UI_PORT);
  if (!existsSync(join(config.WG402_UI_STATIC_DIR, "index.html"))) {
    console.error(`wg402-ui: the UI is not built (${config.WG402_UI_STATIC_DIR}); run: npm run desktop:build`);
  }
  // Started by a parent (`npm start`): it prints the line. Started alone (`npm run ui`): print it here.
  if (process.send) process.send({ type: "listening", url });
  else console.log(`ui  ${url}`);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    // A running lease is closed: quitting stops paying.
    await host.close().catch((error: unknown) => console.error(`wg402-ui: closing the session failed: ${error}`));
    await ui.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(`wg402-ui: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
