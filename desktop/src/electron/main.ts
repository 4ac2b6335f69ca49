// Electron's main process: hosts the client core (DesktopHost) and shows the React UI in a sandboxed,
// context-isolated window. All tunnel and wallet work happens here, never in the renderer. Kept thin: the
// same host serves the UI daemon, which is where the behaviour is tested.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { app, BrowserWindow, dialog, type IpcMainInvokeEvent, ipcMain, session, shell } from "electron";
import { commandNames } from "../api/commands.ts";
import { loadDesktopConfig } from "../host/desktopConfig.ts";
import { DesktopHost } from "../host/desktopHost.ts";
import { commandChannel, eventChannel } from "./ipcChannels.ts";
import { isTrustedSender } from "./senderCheck.ts";

// The bundle sits in <app>/electron/, the renderer in <app>/renderer/.
const here = fileURLToPath(new URL(".", import.meta.url));
const pageFile = join(here, "..", "renderer", "index.html");
const pageUrl = pathToFileURL(pageFile).href;

app.enableSandbox();

let window: BrowserWindow | null = null;
let host: DesktopHost | null = null;
let quitting = false;

async function start(): Promise<void> {
  const config = loadDesktopConfig(process.env);
  host = await DesktopHost.create({ config, env: process.env, transport: "electron", version: app.getVersion() });

  // The renderer needs no permission (camera, notifications, …): refuse them all.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  window = new BrowserWindow({
    width: 440,
    height: 860,
    minWidth: 360,
    minHeight: 560,
    title: "wg402",
    show: false,
    webPreferences: {
      preload: join(here, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const contents = window.webContents;
  // The app is one page: no navigation, no new windows; explorer links open in the system browser.
  contents.on("will-navigate", (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: "deny" };
  });

  const trusted = (event: IpcMainInvokeEvent) =>
    isTrustedSender(
      {
        webContentsId: event.sender.id,
        frameUrl: event.senderFrame?.url ?? null,
        isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
      },
      { webContentsId: contents.id, pageUrl },
    );
  for (const name of commandNames) {
    ipcMain.handle(commandChannel(name), async (event, input: unknown) => {
      if (!trusted(event)) {
        return { ok: false, error: { error: "forbidden", message: "this window may not use the wg402 API" } };
      }
      return (host as DesktopHost).call(name, input);
    });
  }
  host.subscribe((event) => {
    if (!contents.isDestroyed()) contents.send(eventChannel, event);
  });

  window.once("ready-to-show", () => window?.show());
  await window.loadURL(pageUrl);
}

// Quitting stops paying: the running lease is closed and the tunnel taken down before the app exits.
app.on("before-quit", (event) => {
  if (quitting || !host) return;
  event.preventDefault();
  quitting = true;
  void host
    .close()
    .catch((error: unknown) => console.error("wg402: closing the session failed:", error))
    .finally(() => app.quit());
});

app.on("window-all-closed", () => app.quit());

app
  .whenReady()
  .then(start)
  .catch((error: unknown) => {
    // A bad configuration or an unreadable settings file: said in a dialog, not only on a console nobody sees.
    const message = error instanceof Error ? error.message : String(error);
    console.error("wg402:", error);
    dialog.showErrorBox("wg402 could not start", message);
    app.exit(1);
  });
