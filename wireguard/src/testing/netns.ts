import { randomBytes, randomInt } from "node:crypto";
import { type RunCommandResult, runCommand } from "../runCommand.ts";

export type NetnsPair = {
  a: string;
  b: string;
  /** The veth ends, one in each namespace. */
  vethA: string;
  vethB: string;
  /** Addresses of the veth ends (a /24 that exists only inside the two namespaces). */
  addrA: string;
  addrB: string;
  prefixLength: number;
  /** Deletes both namespaces (and so the veth). Stop processes running inside them first. Idempotent. */
  cleanup(): Promise<void>;
};

export function hasRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `<prefix><pid base36><random>`, cut to `maxLength` (15 fits an interface name), unique across runs and workers. */
export function uniqueName(prefix: string, maxLength = 15): string {
  const suffix = `${process.pid.toString(36)}${randomBytes(4).toString("hex")}`;
  return `${prefix}${suffix}`.slice(0, maxLength);
}

/** Runs `cmd args` inside namespace `ns` through execFile (no shell). */
export function execIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunCommandResult> {
  return runCommand(cmd, args, { ...options, netns: ns });
}

/** Two fresh namespaces joined by a veth pair with addresses on both ends, loopback up in both. */
export async function createNetnsPair(options: { prefix?: string } = {}): Promise<NetnsPair> {
  const base = uniqueName(options.prefix ?? "wgt", 13);
  const a = `${base}a`;
  const b = `${base}b`;
  const vethA = `${base}a`;
  const vethB = `${base}b`;
  // 10.x addresses, reachable only inside these two namespaces.
  const net = `10.${randomInt(100, 250)}.${randomInt(0, 256)}`;
  const addrA = `${net}.1`;
  const addrB = `${net}.2`;
  const prefixLength = 24;
  const created: string[] = [];
  const cleanup = async () => {
    const errors: unknown[] = [];
    for (const ns of created.splice(0).reverse()) {
      await runCommand("ip", ["netns", "del", ns]).catch((error: unknown) => {
        if (!/No such file/.test(String(error))) errors.push(error);
      });
    }
    if (errors.length > 0) throw new AggregateError(errors, "netns cleanup failed");
  };
  try {
    for (const ns of [a, b]) {
      await runCommand("ip", ["netns", "add", ns]);
      created.push(ns);
    }
    // Created directly inside the namespaces, so nothing is left in the root namespace even on a crash.
    await runCommand("ip", ["link", "add", vethA, "netns", a, "type", "veth", "peer", "name", vethB, "netns", b]);
    for (const [ns, dev, addr] of [
      [a, vethA, addrA],
      [b, vethB, addrB],
    ] as const) {
      await runCommand("ip", ["-n", ns, "addr", "add", `${addr}/${prefixLength}`, "dev", dev]);
      await runCommand("ip", ["-n", ns, "link", "set", dev, "up"]);
      await runCommand("ip", ["-n", ns, "link", "set", "lo", "up"]);
    }
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
  return { a, b, vethA, vethB, addrA, addrB, prefixLength, cleanup };
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await runCommand("ip", ["netns", "list"]);
  return stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter(Boolean);
}
