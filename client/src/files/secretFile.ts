import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `text` readable by the owner only (0600, its directory 0700), atomically: the file is created
 * with those permissions, so its content is never visible to others, not even for a moment.
 */
export async function writeSecretFile(
  path: string,
  text: string,
  options: { exclusive?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (options.exclusive) {
    // "wx" fails if the file exists: never overwrite a wallet.
    await writeFile(path, text, { mode: 0o600, flag: "wx" });
    await chmod(path, 0o600);
    return;
  }
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
