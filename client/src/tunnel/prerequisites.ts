import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";
import { findExecutable } from "./privileges.ts";

/** A program a driver runs (or a choice of programs, any one will do) and the Debian package that has it. */
export type ToolNeed = {
  /** What to look for; the first is the one named in messages. */
  anyOf: string[];
  /** The Debian package that installs it. */
  debianPackage: string;
  /** Why the driver needs it, for the user. */
  why: string;
};

export type MissingTool = ToolNeed & {
  /** Installed, but outside PATH: installing again would not help. */
  foundOutsidePath: string | null;
};

/**
 * The needs that are not met along `searchPath`. Looked up on PATH alone, without the sbin fallback,
 * because a tool that wg-quick runs finds only what is on PATH; one found elsewhere is said so.
 */
export async function missingTools(needs: ToolNeed[], searchPath: string): Promise<MissingTool[]> {
  const missing: MissingTool[] = [];
  for (const need of needs) {
    const found = await Promise.all(need.anyOf.map((name) => findExecutable(name, searchPath, false)));
    if (found.some((path) => path !== null)) continue;
    const elsewhere = await Promise.all(need.anyOf.map((name) => findExecutable(name, "", true)));
    missing.push({ ...need, foundOutsidePath: elsewhere.find((path) => path !== null) ?? null });
  }
  return missing;
}

/** One sentence naming every missing tool, why it is needed, and the exact apt line that installs them all. */
export function toolsMissingError(driver: string, missing: MissingTool[]): ClientError {
  const names = missing.map((m) => `${m.anyOf.join(" or ")} (${m.why})`);
  const packages = [...new Set(missing.map((m) => m.debianPackage))];
  // Installed but off PATH: installing again would not help, so say where it is.
  const outside = missing
    .filter((m) => m.foundOutsidePath)
    .map((m) => `; ${m.foundOutsidePath} exists but is not on PATH: add ${dirOf(m.foundOutsidePath ?? "")} to it`);
  const message = `the ${driver} driver needs ${names.join(", ")}: apt-get install ${packages.join(" ")}${outside.join("")}`;
  return new ClientError(message, {
    code: ErrorCode.tool_missing,
    details: { missing: missing.map((m) => m.anyOf[0]), packages },
  });
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** A default route among the allowed IPs: wg-quick then sets up policy routing and firewall rules. */
export function isFullTunnel(allowedIps: string[] | null | undefined): boolean {
  if (!allowedIps) return true;
  return allowedIps.some((ip) => ip.trim() === "0.0.0.0/0" || ip.trim() === "::/0");
}
