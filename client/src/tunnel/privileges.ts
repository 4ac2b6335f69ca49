import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";

export const isRootUser = (): boolean => process.getuid?.() === 0;

/** `root_required` with a sentence naming the driver, unless running as root. */
export function requireRoot(isRoot: (() => boolean) | undefined, driver: string, why: string): void {
  if ((isRoot ?? isRootUser)()) return;
  throw new ClientError(`${driver} needs root because ${why}: run it with sudo, or use --driver export`, {
    code: ErrorCode.root_required,
  });
}

const FALLBACK_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/**
 * The executable's path on PATH (plus, unless `fallback` is false, the sbin directories daemons often lack),
 * or null. A tool that another tool runs (wg-quick runs iptables-restore) is looked up without the fallback:
 * it finds only what is on PATH.
 */
export async function findExecutable(
  name: string,
  path = process.env.PATH ?? "",
  fallback = true,
): Promise<string | null> {
  for (const dir of new Set([...path.split(delimiter).filter(Boolean), ...(fallback ? FALLBACK_PATH : [])])) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}
