import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { detectWireguardSupport, runCommand } from "@wg402/wireguard";
import { claimFreeNetworks, type Ipv4Net, parseIpv4Net } from "./freeNetworks.ts";

export type NodeNamespace = {
  netns: string;
  /** The node's address on the veth, reachable from this host: the WireGuard endpoint. */
  endpointHost: string;
  /** The host side of the veth; the route to the endpoint must go through it. */
  hostInterface: string;
  /** The tunnel subnet this stack's node hands addresses from (a /16 no other stack or route uses). */
  tunnelSubnet: string;
  remove: () => Promise<void>;
};

const PREFIX = "wg402-";
// Two `npm start`s picking networks at the same moment must not pick the same ones.
const LOCK_DIR = "/run/lock/wg402-stack";

/**
 * A network namespace of its own for the local node's WireGuard interface, joined to this host by a veth
 * pair on a /30 no one else uses, with a tunnel subnet no one else uses, so two stacks on one host never
 * meet and the host's routing is untouched. Returns the reason instead when this machine cannot run a real
 * interface (not root, no /dev/net/tun, no wireguard-go or wg).
 */
export async function createNodeNamespace(index = 0): Promise<NodeNamespace | { unavailable: string }> {
  const support = await detectWireguardSupport();
  if (!support.root || !support.tun || !support.ip || !support.wg || (!support.kernel && !support.wireguardGo)) {
    const install = support.missing.length > 0 ? `; install: apt-get install ${support.missing.join(" ")}` : "";
    return { unavailable: `${support.problems.join("; ") || "WireGuard is not usable here"}${install}` };
  }
  await removeOrphans();
  // The stack's first node keeps the names it always had; its others add their index.
  const id = index === 0 ? String(process.pid) : `${process.pid}-${index}`;
  const netns = `${PREFIX}${id}`;
  const hostInterface = `w4h${id}`.slice(0, 15);
  const nodeIf = `w4n${id}`.slice(0, 15);
  const remove = async () => {
    await runCommand("ip", ["netns", "del", netns]).catch(() => undefined);
  };
  const release = await lock();
  try {
    const { link, tunnel } = claimFreeNetworks(await networksInUse());
    const host = `${link.address(1)}/30`;
    const endpointHost = link.address(2);
    await runCommand("ip", ["netns", "add", netns]);
    await runCommand("ip", ["link", "add", hostInterface, "type", "veth", "peer", "name", nodeIf, "netns", netns]);
    await runCommand("ip", ["addr", "add", host, "dev", hostInterface]);
    await runCommand("ip", ["link", "set", hostInterface, "up"]);
    await runCommand("ip", ["-n", netns, "addr", "add", `${endpointHost}/30`, "dev", nodeIf]);
    await runCommand("ip", ["-n", netns, "link", "set", nodeIf, "up"]);
    await runCommand("ip", ["-n", netns, "link", "set", "lo", "up"]);
    // Recorded in the namespace itself, so the next stack sees this tunnel subnet as taken.
    await runCommand("ip", ["-n", netns, "addr", "add", `${tunnel.address(1)}/32`, "dev", "lo"]);
    const { stdout } = await runCommand("ip", ["-4", "route", "get", endpointHost]);
    if (!new RegExp(`\\bdev ${hostInterface}\\b`).test(stdout)) {
      throw new Error(`the route to ${endpointHost} does not go through ${hostInterface}: ${stdout.trim()}`);
    }
    return { netns, endpointHost, hostInterface, tunnelSubnet: tunnel.cidr, remove };
  } catch (error) {
    await remove();
    return { unavailable: `could not create the node's network namespace: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    await release();
  }
}

/** Every IPv4 network on this host's interfaces and routes, and in other stacks' node namespaces. */
async function networksInUse(): Promise<Ipv4Net[]> {
  const found: Ipv4Net[] = [];
  const collect = (text: string) => {
    for (const match of text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?)\b/g)) {
      const net = parseIpv4Net(match[1] as string);
      if (net) found.push(net);
    }
  };
  collect((await runCommand("ip", ["-4", "-o", "addr", "show"])).stdout);
  collect((await runCommand("ip", ["-4", "route", "show", "table", "all"])).stdout);
  for (const netns of await stackNamespaces()) {
    collect((await runCommand("ip", ["-n", netns, "-4", "-o", "addr", "show"]).catch(() => ({ stdout: "" }))).stdout);
  }
  return found;
}

async function stackNamespaces(): Promise<string[]> {
  const { stdout } = await runCommand("ip", ["netns", "list"]);
  return stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(PREFIX));
}

/** Namespaces left by an `npm start` that was killed: their owner's PID is gone. */
async function removeOrphans(): Promise<void> {
  for (const name of await stackNamespaces()) {
    const pid = /^(\d+)(?:-\d+)?$/.exec(name.slice(PREFIX.length))?.[1];
    if (pid && !existsSync(`/proc/${pid}`)) {
      await runCommand("ip", ["netns", "del", name]).catch(() => undefined);
    }
  }
}

/** A directory lock held by a live process; a dead holder's lock is taken over. */
async function lock(): Promise<() => Promise<void>> {
  await mkdir("/run/lock", { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(`${LOCK_DIR}/pid`, String(process.pid));
      return () => rm(LOCK_DIR, { recursive: true, force: true });
    } catch {
      const holder = await readFile(`${LOCK_DIR}/pid`, "utf8").catch(() => "");
      if ((holder && !existsSync(`/proc/${holder.trim()}`)) || attempt > 200) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      await sleep(50);
    }
  }
}
