import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSigningKey } from "./signingKey.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-signing-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("loadSigningKey", () => {
  it("creates the key file 0600 on first start and reads the same key on every later one", async () => {
    const path = join(dir, "state", "signing.key");
    const first = await loadSigningKey({ AGENT_SIGNING_KEY_FILE: path });
    expect(first).toMatchObject({ source: "file", created: true });
    expect(first.privateKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, "utf8")).toBe(`${first.privateKey}\n`);
    const again = await loadSigningKey({ AGENT_SIGNING_KEY_FILE: path });
    expect(again).toMatchObject({ privateKey: first.privateKey, created: false, tightenedFrom: null });
  });

  it("tightens a file others can read, and refuses a malformed one without quoting it", async () => {
    const path = join(dir, "signing.key");
    await writeFile(path, `0x${"ab".repeat(32)}\n`);
    await chmod(path, 0o644);
    expect(await loadSigningKey({ AGENT_SIGNING_KEY_FILE: path })).toMatchObject({ tightenedFrom: 0o644 });
    await writeFile(path, "not-a-key-secret\n");
    const error = await loadSigningKey({ AGENT_SIGNING_KEY_FILE: path }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/malformed/);
    expect((error as Error).message).not.toMatch(/not-a-key-secret/);
  });

  it("prefers AGENT_SIGNING_PRIVATE_KEY and then writes no file", async () => {
    const path = join(dir, "unused.key");
    const key = `0x${"cd".repeat(32)}`;
    expect(await loadSigningKey({ AGENT_SIGNING_PRIVATE_KEY: key, AGENT_SIGNING_KEY_FILE: path })).toMatchObject({
      privateKey: key,
      source: "env",
    });
    await expect(stat(path)).rejects.toThrow();
  });
});
