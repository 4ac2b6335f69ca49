import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What a kind of key file is: its name in errors, how a new key is made, and what a valid one looks like. */
export type KeyFileKind = {
  /** e.g. "WireGuard private key file", the start of every error sentence. */
  label: string;
  generate(): string;
  isValid(text: string): boolean;
  /** Appended to "… is malformed: ": what the file should hold, and what removing it costs. */
  malformedHint: string;
};

export type LoadedKeyFile = {
  key: string;
  /** The file did not exist and was written now. */
  created: boolean;
  /** The file's mode before it was tightened to 0600 because group or others could read it; else null. */
  tightenedFrom: number | null;
};

/**
 * Reads a node's secret key (one line), or creates it. A new file is born 0600 in a 0700 directory and appears
 * whole: written under a temporary name, then linked into place. Linking never replaces a file, so when two
 * processes race, both end up with the same key. Errors name the path, never the key.
 */
export async function loadOrCreateKeyFile(path: string, kind: KeyFileKind): Promise<LoadedKeyFile> {
  const existing = await loadKeyFile(path, kind);
  if (existing !== null) return existing;

  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = kind.generate();
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${key}\n`);
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
      const theirs = await loadKeyFile(path, kind);
      if (theirs !== null) return theirs;
    }
    // Filesystems without hard links: a rename is still atomic, only not exclusive.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
    await rename(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
  return { key, created: true, tightenedFrom: null };
}

async function loadKeyFile(path: string, kind: KeyFileKind): Promise<LoadedKeyFile | null> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (!info.isFile()) throw new Error(`${kind.label} ${path} is not a regular file`);

  let tightenedFrom: number | null = null;
  const mode = info.mode & 0o777;
  // Tighten before reading, so the key is not read from a file others can still open.
  if ((mode & 0o077) !== 0) {
    try {
      await chmod(path, 0o600);
    } catch (cause) {
      throw new Error(
        `${kind.label} ${path} is readable by others (mode ${formatMode(mode)}) and cannot be made 0600: ${(cause as Error).message}`,
        { cause },
      );
    }
    tightenedFrom = mode;
  }

  const key = (await readFile(path, "utf8")).trim();
  if (!kind.isValid(key)) throw new Error(`${kind.label} ${path} is malformed: ${kind.malformedHint}`);
  return { key, created: false, tightenedFrom };
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
