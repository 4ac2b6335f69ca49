import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { ClientError } from "../errors.ts";
import {
  exportKeystoreFile,
  parsePrivateKey,
  readKeystoreAddress,
  unlockKeystoreFile,
  writeKeystoreFile,
} from "./keystoreWallet.ts";
import { loadWallet, walletAddress } from "./loadWallet.ts";

// A cheap scrypt for tests; files created by the CLI use the shared default (2^17).
const scryptN = 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-wallet-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof ClientError ? error.code : `not a ClientError: ${String(error)}`),
  );

describe("keystore wallet", () => {
  it("round-trips a new key through an owner-only keystore v3 file", async () => {
    const path = join(dir, "nested", "wallet.json");
    const created = await writeKeystoreFile(path, "correct horse", { scryptN });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "nested"))).mode & 0o777).toBe(0o700);
    const file = JSON.parse(await readFile(path, "utf8"));
    expect(file).toMatchObject({
      version: 3,
      crypto: { kdf: "scrypt", cipher: "aes-128-ctr", kdfparams: { n: scryptN } },
    });
    expect(await readKeystoreAddress(path)).toBe(created.address);
    const key = await unlockKeystoreFile(path, "correct horse");
    expect(privateKeyToAddress(key)).toBe(created.address);
    // The key is encrypted, not stored in clear.
    expect(await readFile(path, "utf8")).not.toContain(key.slice(2));
  });

  it("refuses a wrong passphrase with wrong_passphrase", async () => {
    const path = join(dir, "wallet.json");
    await writeKeystoreFile(path, "right horse battery", { scryptN });
    expect(await codeOf(unlockKeystoreFile(path, "wrong"))).toBe("wrong_passphrase");
    expect(await codeOf(loadWallet({ env: {}, keystorePath: path, passphrase: async () => "wrong" }))).toBe(
      "wrong_passphrase",
    );
  });

  it("imports a given key and never overwrites an existing wallet", async () => {
    const path = join(dir, "wallet.json");
    const privateKey = generatePrivateKey();
    const imported = await writeKeystoreFile(path, "pass the salt, please", { scryptN, privateKey });
    expect(imported.address).toBe(privateKeyToAddress(privateKey));
    const before = await readFile(path, "utf8");
    expect(await codeOf(writeKeystoreFile(path, "pass the salt, please", { scryptN }))).toBe("wallet_exists");
    expect(await readFile(path, "utf8")).toBe(before);
    expect(await unlockKeystoreFile(path, "pass the salt, please")).toBe(privateKey);
  });

  it("refuses an empty passphrase, a missing file and a file that is not a keystore", async () => {
    expect(await codeOf(writeKeystoreFile(join(dir, "w.json"), "", { scryptN }))).toBe("passphrase_required");
    expect(await codeOf(readKeystoreAddress(join(dir, "missing.json")))).toBe("wallet_not_found");
    await writeFile(join(dir, "junk.json"), '{"version": 3}');
    expect(await codeOf(unlockKeystoreFile(join(dir, "junk.json"), "x"))).toBe("invalid_keystore");
    await writeFile(join(dir, "text.json"), "not json");
    expect(await codeOf(readKeystoreAddress(join(dir, "text.json")))).toBe("invalid_keystore");
  });
});

describe("loadWallet", () => {
  it("prefers WG402_PRIVATE_KEY and asks no passphrase for it", async () => {
    const privateKey = generatePrivateKey();
    const passphrase = jest.fn(async () => "unused");
    const wallet = await loadWallet({
      env: { WG402_PRIVATE_KEY: privateKey },
      keystorePath: join(dir, "none.json"),
      passphrase,
    });
    expect(wallet.address).toBe(privateKeyToAddress(privateKey));
    expect(wallet.source).toEqual({ kind: "env", variable: "WG402_PRIVATE_KEY" });
    expect(passphrase).not.toHaveBeenCalled();
  });

  it("unlocks the keystore with the passphrase, and reports a missing wallet before asking for one", async () => {
    const path = join(dir, "wallet.json");
    const created = await writeKeystoreFile(path, "pass the salt, please", { scryptN });
    const wallet = await loadWallet({ env: {}, keystorePath: path, passphrase: async () => "pass the salt, please" });
    expect(wallet).toMatchObject({ address: created.address, source: { kind: "keystore", path } });
    expect(await walletAddress({ env: {}, keystorePath: path })).toMatchObject({ address: created.address });

    const passphrase = jest.fn(async () => "pass");
    expect(await codeOf(loadWallet({ env: {}, keystorePath: join(dir, "none.json"), passphrase }))).toBe(
      "wallet_not_found",
    );
    expect(passphrase).not.toHaveBeenCalled();
  });

  it("refuses a malformed private key without echoing it", () => {
    const secret = "0x1234";
    try {
      parsePrivateKey(secret, "WG402_PRIVATE_KEY");
      throw new Error("accepted");
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid_private_key" });
      expect((error as Error).message).not.toContain(secret);
    }
    expect(parsePrivateKey(`  ${"ab".repeat(32)}\n`)).toBe(`0x${"ab".repeat(32)}`);
  });

  it("refuses weak passphrases for a new wallet, each with weak_passphrase", async () => {
    for (const weak of ["x", "short one", "aaaaaaaaaaaa", "1234567890", "0987654321", "abababababab", "qwertyuiop"]) {
      expect([weak, await codeOf(writeKeystoreFile(join(dir, "w.json"), weak, { scryptN }))]).toEqual([
        weak,
        "weak_passphrase",
      ]);
    }
    expect(await codeOf(writeKeystoreFile(join(dir, "w.json"), "Password123!", { scryptN }))).toBe("weak_passphrase");
  });

  it("exports the keystore still encrypted: to a new 0600 file, never over one, or as text", async () => {
    const path = join(dir, "wallet.json");
    const created = await writeKeystoreFile(path, "right horse battery", { scryptN });
    const out = join(dir, "backup", "wallet-backup.json");
    const exported = await exportKeystoreFile(path, out);
    expect(exported).toMatchObject({ address: created.address, path: out });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readFile(out, "utf8")).toBe(`${JSON.stringify(exported.keystore, null, 2)}\n`);
    expect(await unlockKeystoreFile(out, "right horse battery")).toBe(
      await unlockKeystoreFile(path, "right horse battery"),
    );
    expect(await codeOf(exportKeystoreFile(path, out))).toBe("wallet_exists");
    expect((await exportKeystoreFile(path)).path).toBeNull();
    expect(await codeOf(exportKeystoreFile(join(dir, "none.json")))).toBe("wallet_not_found");
  });
});
