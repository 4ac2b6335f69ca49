import { existsSync } from "node:fs";
import { detectWireguardSupport, runCommand } from "@wg402/wireguard";

export type NodeNamespace = {
  netns: string;
  /** The node's address on the veth, reachable from this host: the WireGuard endpoint. */
  endpointHost: string;
  remove: () => Promise<void>;
};

const PREFIX = "wg402-";

/**
 * A network namespace of its own for the local node's WireGuard interface, joined to this host by a veth
 * pair, so the host's routing is untouched. Returns the reason instead when this machine cannot run a real
 * interface (not root, no /dev/net/tun, no wireguard-go or wg).
 */
export async function createNodeNamespace(): Promise<NodeNamespace | { unavailable: string }> {
  const support = await detectWireguardSupport();
  if (!support.root || !support.tun || !support.ip || !support.wg || (!support.kernel && !support.wireguardGo)) {
    const install = support.missing.length > 0 ? `; install: apt-get install ${support.missing.join(" ")}` : "";
    return { unavailable: `${support.problems.join("; ") || "WireGuard is not usable here"}${install}` };
  }
  await removeOrphans();
  const id = String(process.pid);
  const netns = `${PREFIX}${id}`;
  const hostIf = `w4h${id}`.slice(0, 15);
  const nodeIf = `w4n${id}`.slice(0, 15);
  const remove = async () => {
    await runCommand("ip", ["netns", "del", netns]).catch(() => undefined);
  };
  try {
    await runCommand("ip", ["netns", "add", netns]);
    await runCommand("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", nodeIf, "netns", netns]);
    await runCommand("ip", ["addr", "add", "169.254.254.1/30", "dev", hostIf]);
    await runCommand("ip", ["link", "set", hostIf, "up"]);
    await runCommand("ip", ["-n", netns, "addr", "add", "169.254.254.2/30", "dev", nodeIf]);
    await runCommand("ip", ["-n", netns, "link", "set", nodeIf, "up"]);
    await runCommand("ip", ["-n", netns, "link", "set", "lo", "up"]);
  } catch (error) {
    await remove();
    return { unavailable: `could not create the node's network namespace: ${(error as Error).message.split("\n")[0]}` };
  }
  return { netns, endpointHost: "169.254.254.2", remove };
}

/** Namespaces left by an `npm start` that was killed: their owner's PID is gone. */
async function removeOrphans(): Promise<void> {
  const { stdout } = await runCommand("ip", ["netns", "list"]);
  for (const line of stdout.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const pid = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
    if (/^\d+$/.test(pid) && !existsSync(`/proc/${pid}`)) {
      await runCommand("ip", ["netns", "del", name]).catch(() => undefined);
    }
  }
}
