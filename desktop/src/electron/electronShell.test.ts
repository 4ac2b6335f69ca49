// Electron itself cannot run on these machines (its binary is downloaded on first use), so the shell is
// checked as built: the esbuild bundles of main and preload, run against a stand-in `electron` module that
// records what they ask of it. The behaviour behind the shell is the host's, tested through the daemon.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";

const src = fileURLToPath(new URL("./", import.meta.url));
let dir: string;

// What main.ts may touch, and nothing more; each call is recorded for the assertions.
const STUB = `
const handlers = new Map();
const sent = [];
const mainFrame = { url: "" };
const webContents = {
  id: 7, mainFrame, on() {}, setWindowOpenHandler(h) { globalThis.openHandler = h; },
  isDestroyed: () => false, send: (channel, event) => sent.push({ channel, type: event.type }),
};
class BrowserWindow {
  constructor(options) { globalThis.windowOptions = options; this.webContents = webContents; }
  once() {} show() {}
  async loadURL(url) { mainFrame.url = url; globalThis.loaded = url; }
}
exports.app = {
  enableSandbox() { globalThis.sandboxed = true; }, getVersion: () => "1.2.3", on() {},
  whenReady: () => Promise.resolve(), quit() {}, exit(code) { globalThis.exitCode = code; },
};
exports.BrowserWindow = BrowserWindow;
exports.dialog = { showErrorBox: (title, message) => { globalThis.dialog = { title, message }; } };
exports.ipcMain = { handle: (channel, fn) => handlers.set(channel, fn) };
exports.session = { defaultSession: { setPermissionRequestHandler(h) { globalThis.permissionHandler = h; } } };
exports.shell = { openExternal(url) { (globalThis.opened ??= []).push(url); } };
exports.handlers = handlers; exports.sent = sent; exports.webContents = webContents;
`;

const DRIVER = `
import electron from "electron";
await import("./app/electron/main.mjs");
for (let i = 0; i < 100 && !globalThis.loaded; i++) await new Promise((r) => setTimeout(r, 20));
const wc = electron.webContents;
const own = { sender: wc, senderFrame: wc.mainFrame };
const call = (channel, event, input) => electron.handlers.get(channel)(event, input);
let permission = null;
globalThis.permissionHandler?.(null, "media", (granted) => { permission = granted; });
const out = {
  sandboxed: globalThis.sandboxed === true,
  webPreferences: globalThis.windowOptions.webPreferences,
  loaded: globalThis.loaded,
  channels: [...electron.handlers.keys()].sort(),
  own: await call("wg402:wallet.status", own, null),
  foreignFrame: await call("wg402:wallet.status", { sender: wc, senderFrame: { url: "https://evil.example/" } }, null),
  subFrame: await call("wg402:wallet.status", { sender: wc, senderFrame: { url: wc.mainFrame.url } }, null),
  otherWindow: await call("wg402:app.info", { sender: { id: 99, mainFrame: {} }, senderFrame: wc.mainFrame }, null),
  badInput: await call("wg402:wallet.create", own, { passphrase: "" }),
  created: await call("wg402:wallet.create", own, {
    passphrase: "correct horse battery",
    confirmation: "correct horse battery",
  }),
  sent: electron.sent,
  windowOpen: globalThis.openHandler({ url: "https://basescan.org/tx/0x1" }),
  opened: globalThis.opened ?? [],
  permission,
};
console.log(JSON.stringify(out));
process.exit(0);
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-electron-"));
  const common = {
    bundle: true,
    platform: "node" as const,
    target: "node22",
    external: ["electron"],
    logLevel: "silent" as const,
  };
  await build({
    ...common,
    entryPoints: [join(src, "main.ts")],
    outfile: join(dir, "app", "electron", "main.mjs"),
    format: "esm",
    banner: { js: 'import { createRequire as __r } from "node:module"; const require = __r(import.meta.url);' },
  });
  await build({
    ...common,
    entryPoints: [join(src, "preload.ts")],
    outfile: join(dir, "app", "electron", "preload.cjs"),
    format: "cjs",
  });
  await mkdir(join(dir, "node_modules", "electron"), { recursive: true });
  await writeFile(join(dir, "node_modules", "electron", "package.json"), '{"name":"electron","main":"index.js"}');
  await writeFile(join(dir, "node_modules", "electron", "index.js"), STUB);
  await writeFile(join(dir, "driver.mjs"), DRIVER);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Electron main (bundled, against a stand-in electron)", () => {
  let out: Record<string, unknown> & {
    webPreferences: Record<string, unknown>;
    sent: { channel: string; type: string }[];
  };

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, "driver.mjs")], {
      cwd: dir,
      env: {
        ...process.env,
        WG402_HOME: join(dir, "home"),
        WG402_STACK_FILE: join(dir, "none.json"),
        WG402_PRIVATE_KEY: "",
      },
    });
    out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
  }, 60_000);

  it("opens a sandboxed, context-isolated window without Node, with the preload next to it", () => {
    expect(out.sandboxed).toBe(true);
    expect(out.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
    });
    expect(out.webPreferences.preload).toBe(join(dir, "app", "electron", "preload.cjs"));
    expect(out.loaded).toBe(`file://${join(dir, "app", "renderer", "index.html")}`);
    expect(out.permission).toBe(false);
  });

  it("answers one channel per command from the list, and only its own page", () => {
    expect((out.channels as string[]).length).toBe(26);
    expect(out.own).toMatchObject({ ok: true, result: { state: "none" } });
    for (const refused of [out.foreignFrame, out.subFrame, out.otherWindow]) {
      expect(refused).toEqual({
        ok: false,
        error: { error: "forbidden", message: "this window may not use the wg402 API" },
      });
    }
  });

  it("runs the same host: input checked, errors as data, events forwarded to the window", () => {
    expect(out.badInput).toMatchObject({ ok: false, error: { error: "invalid_argument" } });
    expect(out.created).toMatchObject({ ok: true, result: { state: "unlocked" } });
    expect(out.sent).toContainEqual({ channel: "wg402:event", type: "wallet" });
  });

  it("opens explorer links in the system browser, never in a new window", () => {
    expect(out.windowOpen).toEqual({ action: "deny" });
    expect(out.opened).toEqual(["https://basescan.org/tx/0x1"]);
  });
});

describe("Electron preload (bundled, in a bare context)", () => {
  it("exposes only invoke and onEvent, maps names to the listed channels and refuses unknown ones", async () => {
    const code = await readFile(join(dir, "app", "electron", "preload.cjs"), "utf8");
    const exposed: Record<
      string,
      { invoke: (n: string, i: unknown) => Promise<unknown>; onEvent: (l: (e: unknown) => void) => () => void }
    > = {};
    const invoked: [string, unknown][] = [];
    const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: never) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (channel: string, input: unknown) => invoked.push([channel, input]) && { ok: true, result: null },
        on: (channel: string, fn: (event: unknown, payload: unknown) => void) => listeners.set(channel, fn),
        removeListener: (channel: string) => listeners.delete(channel),
      },
    };
    const module = { exports: {} };
    runInNewContext(code, {
      require: (name: string) => {
        if (name !== "electron") throw new Error(`a sandboxed preload may not require ${name}`);
        return electron;
      },
      module,
      exports: module.exports,
    });
    expect(Object.keys(exposed)).toEqual(["wg402"]);
    const bridge = exposed.wg402;
    expect(Object.keys(bridge ?? {}).sort()).toEqual(["invoke", "onEvent"]);
    await bridge?.invoke("wallet.unlock", { passphrase: "x" });
    expect(invoked).toEqual([["wg402:wallet.unlock", { passphrase: "x" }]]);
    expect(await bridge?.invoke("__proto__", null)).toMatchObject({ ok: false, error: { error: "not_found" } });
    expect(await bridge?.invoke("toString", null)).toMatchObject({ ok: false, error: { error: "not_found" } });
    expect(invoked).toHaveLength(1);
    const seen: unknown[] = [];
    const off = bridge?.onEvent((event) => seen.push(event));
    listeners.get("wg402:event")?.({ senderId: 0 }, { type: "wallet" });
    expect(seen).toEqual([{ type: "wallet" }]);
    off?.();
    expect(listeners.size).toBe(0);
  });
});
