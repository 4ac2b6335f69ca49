import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { runCommand, uapiSocketPath } from "@wg402/wireguard";
import { findWireguardGoPids } from "../findWireguardGoPids.ts";
import { terminatePid } from "../terminatePid.ts";

export async function linkExists(netns: string, name: string): Promise<boolean> {
  return runCommand("ip", ["-n", netns, "link", "show", "dev", name]).then(
    () => true,
    () => false,
  );
}

export function socketExists(name: string): boolean {
  return existsSync(uapiSocketPath(name));
}

/** The one wireguard-go serving `name`; fails the test if there are none or several. */
export async function onlyWireguardGoPid(name: string): Promise<number> {
  const pids = await findWireguardGoPids(name);
  if (pids.length !== 1) throw new Error(`expected one wireguard-go for ${name}, found [${pids.join(", ")}]`);
  return pids[0] as number;
}

/** Kills by PID whatever wireguard-go still serves these names and removes their sockets: test cleanup. */
export async function killLeftovers(names: readonly string[]): Promise<void> {
  for (const name of names) {
    for (const pid of await findWireguardGoPids(name)) await terminatePid(pid, 1_000);
    await unlink(uapiSocketPath(name)).catch(() => undefined);
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
