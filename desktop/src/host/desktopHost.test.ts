// The host's commands that need no chain: the wallet's life cycle, settings, input checks, and errors
// reported as a sentence with a stable code. The paid flow is in sessionController.test.ts and e2e/.
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptKeystore, Keystore } from "@wg402/shared";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import type { ApiEvent } from "../api/events.ts";
import { loadDesktopConfig } from "./desktopConfig.ts";
import { DesktopHost } from "./desktopHost.ts";

let dir: string;
let n = 0;
const TEST_MNEMONIC = "test test test test test test test test test test test junk";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-host-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function host(env: Record<string, string> = {}) {
  const home = join(dir, `home-${n++}`);
  const full = { WG402_HOME: home, WG402_STACK_FILE: join(dir, "no-stack.json"), WG402_PRIVATE_KEY: "", ...env };
  const created = await DesktopHost.create({
    config: loadDesktopConfig(full),
    env: full,
    transport: "daemon",
    version: "0.1.0",
    scryptN: 1024,
    isRoot: () => false,
  });
  const events: ApiEvent[] = [];
  created.subscribe((event) => events.push(event));
  return { host: created, home, events };
}

describe("desktop host: wallet", () => {
  it("creates an encrypted wallet, locks it, refuses a wrong passphrase and unlocks it again", async () => {
    const { host: h, home, events } = await host();
    expect(await h.call("wallet.status", undefined)).toMatchObject({
      ok: true,
      result: { state: "none", address: null },
    });
    const created = await h.call("wallet.create", {
      passphrase: "right horse battery",
      confirmation: "right horse battery",
    });
    expect(created).toMatchObject({ ok: true, result: { state: "unlocked", source: "keystore" } });
    const address = created.ok ? created.result.address : null;
    expect((await stat(join(home, "wallet.json"))).mode & 0o777).toBe(0o600);
    expect(events).toContainEqual({ type: "wallet", wallet: expect.objectContaining({ state: "unlocked", address }) });
    expect(await h.call("wallet.lock", undefined)).toMatchObject({ ok: true, result: { state: "locked", address } });
    expect(await h.call("wallet.unlock", { passphrase: "wrong" })).toMatchObject({
      ok: false,
      error: { error: "wrong_passphrase", message: expect.stringContaining("wrong passphrase") },
    });
    expect(await h.call("wallet.unlock", { passphrase: "right horse battery" })).toMatchObject({
      ok: true,
      result: { state: "unlocked" },
    });
    expect(
      await h.call("wallet.create", { passphrase: "again, another horse", confirmation: "again, another horse" }),
    ).toMatchObject({
      ok: false,
      error: { error: "wallet_exists" },
    });
  });

  it("imports a key without ever echoing it, and refuses a malformed one", async () => {
    const { host: h } = await host();
    const key = generatePrivateKey();
    const secret = { passphrase: "correct horse battery", confirmation: "correct horse battery" };
    const bad = await h.call("wallet.import", { kind: "privateKey", privateKey: "0x1234", ...secret });
    expect(bad).toMatchObject({ ok: false, error: { error: "invalid_private_key" } });
    expect(JSON.stringify(bad)).not.toContain("0x1234");
    expect(await h.call("wallet.import", { kind: "privateKey", privateKey: key, ...secret })).toMatchObject({
      ok: true,
      result: { address: privateKeyToAddress(key), state: "unlocked" },
    });
  });

  it("says a mismatch and a weak passphrase by their own codes, never passphrase_required", async () => {
    const { host: h, home } = await host();
    expect(
      await h.call("wallet.create", { passphrase: "correct horse battery", confirmation: "correct horse batery" }),
    ).toMatchObject({ ok: false, error: { error: "passphrase_mismatch", message: "the two passphrases differ" } });
    expect(await h.call("wallet.create", { passphrase: "short", confirmation: "short" })).toMatchObject({
      ok: false,
      error: { error: "weak_passphrase", message: expect.stringContaining("at least 10 characters") },
    });
    expect(
      await h.call("wallet.import", {
        kind: "mnemonic",
        mnemonic: TEST_MNEMONIC,
        passphrase: "1234567890",
        confirmation: "1234567890",
      }),
    ).toMatchObject({ ok: false, error: { error: "weak_passphrase" } });
    // Nothing was written by any of them.
    await expect(stat(join(home, "wallet.json"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("imports account n of a recovery phrase, exports the keystore still encrypted, and draws the address", async () => {
    const { host: h } = await host();
    const secret = { passphrase: "correct horse battery", confirmation: "correct horse battery" };
    expect(await h.call("wallet.export", undefined)).toMatchObject({ ok: false, error: { error: "wallet_not_found" } });
    const typo = await h.call("wallet.import", {
      kind: "mnemonic",
      mnemonic: TEST_MNEMONIC.replace("junk", "test"),
      ...secret,
    });
    expect(typo).toMatchObject({
      ok: false,
      error: { error: "invalid_private_key", message: expect.stringContaining("checksum") },
    });
    const imported = await h.call("wallet.import", {
      kind: "mnemonic",
      mnemonic: TEST_MNEMONIC,
      accountIndex: 1,
      ...secret,
    });
    // Hardhat's second account: m/44'/60'/0'/0/1 of its well-known phrase.
    expect(imported).toMatchObject({ ok: true, result: { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" } });

    const exported = await h.call("wallet.export", undefined);
    if (!exported.ok) throw new Error(exported.error.message);
    expect(exported.result.fileName).toBe("wg402-wallet-0x70997970C51812dc3A010C7d01b50e0d17dc79C8.json");
    const keystore = Keystore.parse(JSON.parse(exported.result.json));
    expect(exported.result.json).not.toContain("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    expect(privateKeyToAddress(await decryptKeystore(keystore, "correct horse battery"))).toBe(
      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    );

    const qr = await h.call("wallet.qr", undefined);
    expect(qr).toMatchObject({
      ok: true,
      result: {
        address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        svg: expect.stringMatching(/^<svg[^>]*>.*<\/svg>\s*$/s),
      },
    });
  });

  it("forgets an unlocked key whose keystore file was moved away, so another can be imported", async () => {
    const { host: h, home } = await host();
    const secret = { passphrase: "correct horse battery", confirmation: "correct horse battery" };
    expect(await h.call("wallet.create", secret)).toMatchObject({ ok: true, result: { state: "unlocked" } });
    await rename(join(home, "wallet.json"), join(home, "old-wallet.json"));
    expect(await h.call("wallet.status", undefined)).toMatchObject({ ok: true, result: { state: "none" } });
    const key = generatePrivateKey();
    expect(await h.call("wallet.import", { kind: "privateKey", privateKey: key, ...secret })).toMatchObject({
      ok: true,
      result: { state: "unlocked", address: privateKeyToAddress(key) },
    });
  });

  it("uses WG402_PRIVATE_KEY when set, like the CLI, and keeps no wallet file then", async () => {
    const key = generatePrivateKey();
    const { host: h } = await host({ WG402_PRIVATE_KEY: key });
    expect(await h.call("wallet.status", undefined)).toMatchObject({
      ok: true,
      result: { state: "unlocked", source: "env", address: privateKeyToAddress(key) },
    });
    expect(
      await h.call("wallet.create", { passphrase: "correct horse battery", confirmation: "correct horse battery" }),
    ).toMatchObject({
      ok: false,
      error: { error: "invalid_argument" },
    });
  });
});

describe("desktop host: commands", () => {
  it("checks every input and answers with a sentence and a stable code", async () => {
    const { host: h } = await host();
    expect(await h.call("wallet.create", { passphrase: "", confirmation: "" })).toEqual({
      ok: false,
      error: { error: "invalid_argument", message: "passphrase: the passphrase must not be empty" },
    });
    expect(await h.call("wallet.create", { passphrase: "x", extra: 1 })).toMatchObject({
      ok: false,
      error: { error: "invalid_argument" },
    });
    expect(await h.call("nodes.quote", { url: "http://x", minutes: 1.5 })).toMatchObject({
      ok: false,
      error: { error: "invalid_argument" },
    });
    expect(await h.call("nope" as never, null)).toMatchObject({ ok: false, error: { error: "not_found" } });
    expect(await h.call("session.connect", { nodeUrl: "http://127.0.0.1:9" })).toMatchObject({
      ok: false,
      error: { error: "passphrase_required", message: "unlock your wallet with its passphrase first" },
    });
    expect(await h.call("session.disconnect", undefined)).toMatchObject({
      ok: false,
      error: { error: "no_active_lease" },
    });
    expect(await h.call("session.resume", undefined)).toMatchObject({ ok: false, error: { error: "no_active_lease" } });
    expect(await h.call("session.status", undefined)).toEqual({ ok: true, result: { revision: 0, session: null } });
    expect(await h.call("wallet.balances", undefined)).toMatchObject({
      ok: false,
      error: { error: "wallet_not_found" },
    });
  });

  it("reports nodes that cannot be used, and refuses to add one", async () => {
    const { host: h } = await host({ WG402_UI_NODES: "http://127.0.0.1:9" });
    const list = await h.call("nodes.list", undefined);
    expect(list).toMatchObject({
      ok: true,
      result: [{ reachable: false, url: "http://127.0.0.1:9", source: "env", error: { error: "node_unreachable" } }],
    });
    expect(await h.call("nodes.add", { url: "ftp://node.example" })).toMatchObject({
      ok: false,
      error: { error: "invalid_url" },
    });
    expect(await h.call("nodes.add", { url: "http://127.0.0.1:9" })).toMatchObject({
      ok: false,
      error: { error: "node_unreachable" },
    });
    await h.call("wallet.create", { passphrase: "correct horse battery", confirmation: "correct horse battery" });
    expect(await h.call("session.connect", { nodeUrl: "http://127.0.0.1:9" })).toMatchObject({
      ok: false,
      error: { error: "node_unreachable", message: expect.stringContaining("cannot reach the node") },
    });
    expect(await h.call("session.status", undefined)).toMatchObject({ ok: true, result: { session: null } });
  });

  it("says which tunnel drivers this machine can run, and defaults to one it can", async () => {
    const { host: h } = await host();
    const info = await h.call("app.info", undefined);
    if (!info.ok) throw new Error(info.error.message);
    expect(info.result.drivers.find((d) => d.kind === "export")).toMatchObject({ available: true, killSwitch: false });
    expect(info.result.drivers.find((d) => d.kind === "wg-quick")).toMatchObject({
      available: false,
      killSwitch: true,
      note: expect.stringContaining("needs root"),
    });
    expect(info.result.defaultDriver).toBe("export");
    expect(info.result.localStack).toBeNull();
    expect(info.result.recordedLease).toBeNull();
  });
});

describe("desktop host: settings", () => {
  it("keeps settings in WG402_HOME, validated, and tells every window", async () => {
    const { host: h, home, events } = await host({ WG402_UI_LOW_BALANCE_MINUTES: "45" });
    expect(await h.call("settings.get", undefined)).toMatchObject({
      ok: true,
      result: {
        minutes: 10,
        autoRenew: true,
        spendCap: null,
        capWarningMinutes: 2,
        lowBalanceMinutes: 45,
        driver: null,
        nodes: [],
      },
    });
    // "No cap" is a choice to make, and can be made.
    expect(await h.call("settings.update", { spendCap: "none", capWarningMinutes: 5 })).toMatchObject({
      ok: true,
      result: { spendCap: "none", capWarningMinutes: 5 },
    });
    const updated = await h.call("settings.update", {
      spendCap: "0.05",
      autoRenew: false,
      nodes: ["http://node.example/"],
      explorerTxUrls: { "eip155:31337": "http://localhost:5100/tx/{hash}" },
    });
    expect(updated).toMatchObject({
      ok: true,
      result: { spendCap: "0.05", autoRenew: false, nodes: ["http://node.example"] },
    });
    expect(events.at(-1)).toMatchObject({ type: "settings", settings: { spendCap: "0.05" } });
    expect(JSON.parse(await readFile(join(home, "desktop-settings.json"), "utf8"))).toMatchObject({ spendCap: "0.05" });
    for (const patch of [
      { spendCap: "-1" },
      { spendCap: "1e3" },
      { minutes: 0 },
      { spendCap: "unlimited" },
      { capWarningMinutes: -1 },
      { driver: "tun" },
      { explorerTxUrls: { "eip155:1": "https://x.example/tx/" } },
      { explorerTxUrls: { "eip155:1": "javascript:alert(1)//{hash}" } },
      { unknown: true },
    ]) {
      expect(await h.call("settings.update", patch as never)).toMatchObject({
        ok: false,
        error: { error: "invalid_argument" },
      });
    }
    // A second host on the same home reads them back.
    const again = await DesktopHost.create({
      config: loadDesktopConfig({ WG402_HOME: home }),
      env: { WG402_HOME: home, WG402_STACK_FILE: join(dir, "no-stack.json") },
      transport: "daemon",
      version: "0.1.0",
    });
    expect(await again.call("settings.get", undefined)).toMatchObject({
      ok: true,
      result: { spendCap: "0.05", autoRenew: false },
    });
  });

  it("refuses to start on a damaged settings file rather than resetting the user's choices", async () => {
    const home = join(dir, "damaged");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "desktop-settings.json"), "{ not json");
    await expect(
      DesktopHost.create({
        config: loadDesktopConfig({ WG402_HOME: home }),
        env: { WG402_HOME: home },
        transport: "daemon",
        version: "0.1.0",
      }),
    ).rejects.toMatchObject({ code: "invalid_argument", shortMessage: expect.stringContaining("fix or delete it") });
  });
});

describe("desktop config", () => {
  it("parses the environment once and names each bad variable", () => {
    expect(loadDesktopConfig({})).toMatchObject({
      WG402_UI_HOST: "127.0.0.1",
      WG402_UI_PORT: 4030,
      WG402_UI_DRIVER: "auto",
      WG402_UI_LOW_BALANCE_MINUTES: 30,
      WG402_UI_NODES: [],
    });
    expect(loadDesktopConfig({ WG402_UI_NODES: "http://a, http://b" }).WG402_UI_NODES).toEqual([
      "http://a",
      "http://b",
    ]);
    expect(() => loadDesktopConfig({ WG402_UI_HOST: "0.0.0.0", WG402_UI_PORT: "x" })).toThrow(
      expect.objectContaining({
        code: "invalid_config",
        metaMessages: [
          expect.stringContaining('WG402_UI_HOST="0.0.0.0"'),
          expect.stringContaining('WG402_UI_PORT="x"'),
        ],
      }),
    );
  });
});
