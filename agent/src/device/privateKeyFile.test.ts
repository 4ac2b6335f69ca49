import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, isValidKey, publicKeyFromPrivate } from "@wg402/wireguard";
import { loadOrCreatePrivateKey } from "./privateKeyFile.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-key-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("loadOrCreatePrivateKey", () => {
  it("creates a 0600 key file, and its 0700 directory, holding one wg-genkey line", async () => {
    const keyDir = join(dir, "state", "wg");
    const path = join(keyDir, "private.key");
    const key = await loadOrCreatePrivateKey(path);

    expect(key.created).toBe(true);
    expect(key.tightenedFrom).toBeNull();
    expect(isValidKey(key.privateKey)).toBe(true);
    expect(key.publicKey).toBe(publicKeyFromPrivate(key.privateKey));
    expect(await readFile(path, "utf8")).toBe(`${key.privateKey}\n`);
    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(keyDir)).toBe(0o700);
    expect(await modeOf(join(dir, "state"))).toBe(0o700);
    // No temporary file is left next to it.
    expect(await readdir(keyDir)).toEqual(["private.key"]);
  });

  it("creates 0600 even under a permissive umask", async () => {
    const previous = process.umask(0);
    try {
      const path = join(dir, "open-umask.key");
      await loadOrCreatePrivateKey(path);
      expect(await modeOf(path)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("reloads the same key, untouched", async () => {
    const path = join(dir, "private.key");
    const first = await loadOrCreatePrivateKey(path);
    const again = await loadOrCreatePrivateKey(path);
    expect(again).toEqual({ ...first, created: false });
    expect(await readFile(path, "utf8")).toBe(`${first.privateKey}\n`);
  });

  it("loads a key written by hand (no trailing newline) and derives its public key", async () => {
    const keys = generateKeyPair();
    const path = join(dir, "by-hand.key");
    await writeFile(path, keys.privateKey, { mode: 0o600 });
    expect(await loadOrCreatePrivateKey(path)).toEqual({ ...keys, created: false, tightenedFrom: null });
  });

  it("tightens a group/world-readable key file to 0600 and reports the old mode", async () => {
    const path = join(dir, "loose.key");
    const first = await loadOrCreatePrivateKey(path);
    await chmod(path, 0o644);
    const loaded = await loadOrCreatePrivateKey(path);
    expect(loaded.tightenedFrom).toBe(0o644);
    expect(loaded.privateKey).toBe(first.privateKey);
    expect(await modeOf(path)).toBe(0o600);

    await chmod(path, 0o640);
    expect((await loadOrCreatePrivateKey(path)).tightenedFrom).toBe(0o640);
    // An owner-only mode stricter than 0600 is fine as it is.
    await chmod(path, 0o400);
    expect((await loadOrCreatePrivateKey(path)).tightenedFrom).toBeNull();
    expect(await modeOf(path)).toBe(0o400);
  });

  it("rejects a malformed key file without quoting it, and leaves it alone", async () => {
    const path = join(dir, "bad.key");
    const garbage = "c2VjcmV0LWJ1dC1ub3QtYS1rZXk=";
    await writeFile(path, `${garbage}\n`, { mode: 0o600 });
    const error = await loadOrCreatePrivateKey(path).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/bad\.key is malformed/);
    expect(error?.message).not.toContain(garbage);
    expect(await readFile(path, "utf8")).toBe(`${garbage}\n`);

    // An empty file is malformed too: silently replacing it would change the node's identity.
    await writeFile(path, "");
    await expect(loadOrCreatePrivateKey(path)).rejects.toThrow(/malformed/);
    // So is a file with two keys: which one was meant?
    await writeFile(path, `${generateKeyPair().privateKey}\n${generateKeyPair().privateKey}\n`);
    await expect(loadOrCreatePrivateKey(path)).rejects.toThrow(/malformed/);
  });

  it("rejects a directory in place of the key file", async () => {
    await expect(loadOrCreatePrivateKey(dir)).rejects.toThrow(/not a regular file/);
  });

  it("gives every concurrent caller the same key", async () => {
    const path = join(dir, "race.key");
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreatePrivateKey(path)));
    const stored = (await readFile(path, "utf8")).trim();
    for (const result of results) expect(result.privateKey).toBe(stored);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(["race.key"]);
  });
});
