import { constants } from "node:fs";
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runCommand } from "./runCommand.ts";

/**
 * Hands `secret` to a tool that only reads secrets from a file path (`wg set ... private-key <path>`),
 * through a named pipe in a private 0700 directory, so it is never stored anywhere. Not stdin: Node gives
 * children a socketpair, which `/dev/stdin` cannot be opened on (ENXIO).
 */
export async function withSecretFifo<T>(secret: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "wg402-secret-"));
  const path = join(dir, "secret");
  try {
    await runCommand("mkfifo", ["-m", "600", path]);
    const state = { done: false };
    const feeding = feed(path, secret, state);
    try {
      return await use(path);
    } finally {
      state.done = true;
      await feeding;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A non-blocking open for writing succeeds only once the tool has the pipe open for reading, so no
// thread is left blocked if the tool fails before it reads.
async function feed(path: string, secret: string, state: { done: boolean }): Promise<void> {
  while (!state.done) {
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      await sleep(5);
      continue;
    }
    try {
      await handle.writeFile(`${secret}\n`);
    } catch {
      // The reader went away; the tool reports that itself.
    } finally {
      await handle.close();
    }
    return;
  }
}
