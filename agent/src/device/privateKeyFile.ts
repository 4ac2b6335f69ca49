import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { generateKeyPair, isValidKey, publicKeyFromPrivate } from "@wg402/wireguard";

export type LoadedPrivateKey = {
  privateKey: string;
  publicKey: string;
  /** The file did not exist and was written now. */
  created: boolean;
  /** The file's mode before it was tightened to 0600 because group or others could read it; else null. */
  tightenedFrom: number | null;
};

/**
 * Reads the node's WireGuard private key (one base64 line, as `wg genkey` writes), or creates it. A new
 * file is born 0600 in a 0700 directory and appears whole: written under a temporary name, then linked
 * into place. Linking never replaces a file, so when two processes race, both end up with the same key.
 * Errors name the path, never the key.
 */
export async function loadOrCreatePrivateKey(path: string): Promise<LoadedPrivateKey> {
  const existing = await loadPrivateKey(path);
  if (existing !== null) return existing;

  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = generateKeyPair();
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${keys.privateKey}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      // Someone else created it meanwhile: theirs is the key.
      const theirs = await loadPrivateKey(path);
      if (theirs !== null) return theirs;
    }
    // Filesystems without hard links: a rename is still atomic, only not exclusive.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
    await rename(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
  return { ...keys, created: true, tightenedFrom: null };
}

async function loadPrivateKey(path: string): Promise<LoadedPrivateKey | null> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (!info.isFile()) throw new Error(`WireGuard private key file ${path} is not a regular file`);

  let tightenedFrom: number | null = null;
  const mode = info.mode & 0o777;
  // Tighten before reading, so the key is not read from a file others can still open.
  if ((mode & 0o077) !== 0) {
    try {
      await chmod(path, 0o600);
    } catch (cause) {
      throw new Error(
        `WireGuard private key file ${path} is readable by others (mode ${formatMode(mode)}) and cannot be ` +
          `made 0600: ${(cause as Error).message}`,
        { cause },
      );
    }
    tightenedFrom = mode;
  }

  const privateKey = (await readFile(path, "utf8")).trim();
  if (!isValidKey(privateKey)) {
    throw new Error(
      `WireGuard private key file ${path} is malformed: expected one line of 44 base64 characters, as ` +
        "`wg genkey` writes. Fix or remove it (removing it gives this node a new public key).",
    );
  }
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey), created: false, tightenedFrom };
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}

// Makes the new directory entry itself durable, not only the file's bytes.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => null);
  if (handle === null) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename or link already happened.
  } finally {
    await handle.close();
  }
}
