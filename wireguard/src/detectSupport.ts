import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { runCommand } from "./runCommand.ts";

export type WireguardSupport = {
  root: boolean;
  /** /dev/net/tun is a readable and writable character device (wireguard-go needs it). */
  tun: boolean;
  wireguardGo: string | null;
  wg: string | null;
  ip: string | null;
  /** Kernel WireGuard: the module is loaded, or (as root) `ip link add type wireguard` works. */
  kernel: boolean;
  /** Debian packages to install. */
  missing: string[];
  /** One sentence per problem, packages included; empty when both back ends can run. */
  problems: string[];
};

// Daemons often run with a PATH that lacks the sbin directories.
const FALLBACK_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** What this machine can run. Never throws: every probe that fails counts as "missing". */
export async function detectWireguardSupport(): Promise<WireguardSupport> {
  const root = process.getuid?.() === 0;
  const [tun, wireguardGo, wg, ip] = await Promise.all([
    isTun(),
    findExecutable("wireguard-go"),
    findExecutable("wg"),
    findExecutable("ip"),
  ]);
  const kernel = (await isFile("/sys/module/wireguard", true)) || (root && ip !== null && (await probeKernel(ip)));

  const missing: string[] = [];
  const problems: string[] = [];
  if (wg === null) {
    missing.push("wireguard-tools");
    problems.push("`wg` not found: apt-get install wireguard-tools");
  }
  if (ip === null) {
    missing.push("iproute2");
    problems.push("`ip` not found: apt-get install iproute2");
  }
  if (!kernel) {
    if (wireguardGo === null) {
      missing.push("wireguard-go");
      problems.push("no kernel WireGuard and no `wireguard-go`: apt-get install wireguard-go");
    }
    if (!tun) problems.push("/dev/net/tun is missing or not accessible; wireguard-go needs it");
  }
  if (!root) problems.push("not running as root: creating interfaces needs root (or CAP_NET_ADMIN)");
  return { root, tun, wireguardGo, wg, ip, kernel, missing, problems };
}

async function isTun(): Promise<boolean> {
  try {
    const info = await stat("/dev/net/tun");
    await access("/dev/net/tun", constants.R_OK | constants.W_OK);
    return info.isCharacterDevice();
  } catch {
    return false;
  }
}

async function findExecutable(name: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...FALLBACK_PATH];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, name);
    if (await isFile(candidate, false)) {
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  return null;
}

async function isFile(path: string, directory: boolean): Promise<boolean> {
  try {
    const info = await stat(path);
    return directory ? info.isDirectory() : info.isFile();
  } catch {
    return false;
  }
}

// Creating a throwaway link is the only reliable test: it also loads the module if it is merely installed.
async function probeKernel(ip: string): Promise<boolean> {
  const name = `wgprobe${randomBytes(3).toString("hex")}`;
  try {
    await runCommand(ip, ["link", "add", name, "type", "wireguard"], { timeoutMs: 10_000 });
  } catch {
    return false;
  }
  await runCommand(ip, ["link", "del", name], { timeoutMs: 10_000 }).catch(() => undefined);
  return true;
}
