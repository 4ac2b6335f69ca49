import { stat, unlink } from "node:fs/promises";
import { createConnection } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { uapiSocketPath } from "@wg402/wireguard";
import { findWireguardGoPids } from "./findWireguardGoPids.ts";
import { deleteLink, readLink } from "./links.ts";
import { terminatePid } from "./terminatePid.ts";
import type { DeviceLogger } from "./types.ts";

export type ClearStaleInterfaceOptions = {
  name: string;
  netns: string | undefined;
  logger: DeviceLogger;
  /** Kernel mode keeps a kernel WireGuard link of that name (its peers survive); userspace mode deletes it. */
  keepKernelLink: boolean;
};

/**
 * Makes `name` free for a new interface after a crashed run. The interface name belongs to the agent, so
 * whatever an earlier run left goes: a wireguard-go still serving the name (rare: the agent's own dies with
 * it, so this one was started by hand, by wg-quick, by an older agent, or by an agent killed while starting
 * it), a stale control socket, a persistent TUN. Anything that is not recognisably ours (another kind of
 * link, a TUN or socket held by an unknown process) is left alone and reported. Returns whether a kernel
 * WireGuard link was kept.
 */
export async function clearStaleInterface(options: ClearStaleInterfaceOptions): Promise<{ kernelLinkKept: boolean }> {
  const { name, netns, logger } = options;
  const where = netns === undefined ? "" : ` in netns ${netns}`;

  for (const pid of await findWireguardGoPids(name)) {
    logger.warn({ interface: name, pid }, "stopping the wireguard-go an earlier run left serving this interface");
    await terminatePid(pid);
  }

  const socketPath = uapiSocketPath(name);
  if (await isSocketFile(socketPath)) {
    if (await canConnect(socketPath)) {
      throw new Error(
        `${socketPath} is served by a process that is not a wireguard-go for ${name}; stop it or choose ` +
          "another interface name",
      );
    }
    logger.warn({ interface: name, socketPath }, "removing a stale wireguard-go control socket");
    await unlink(socketPath).catch(() => undefined);
  }

  // A killed wireguard-go's TUN disappears once its last descriptor closes, which may trail the exit.
  let link = await readLink(name, netns);
  const deadline = Date.now() + 3_000;
  while (link?.kind === "tun" && !link.persistent && Date.now() < deadline) {
    await sleep(50);
    link = await readLink(name, netns);
  }
  if (link === null) return { kernelLinkKept: false };
  if (link.kind === "wireguard" && options.keepKernelLink) return { kernelLinkKept: true };
  if (link.kind === "wireguard" || (link.kind === "tun" && link.persistent)) {
    logger.warn({ interface: name, netns, kind: link.kind }, "deleting a link an earlier run left behind");
    await deleteLink(name, netns);
    return { kernelLinkKept: false };
  }
  const what = link.kind === "tun" ? "a TUN device held by a running process" : `a ${link.kind ?? "network"} link`;
  throw new Error(
    `${name}${where} already exists as ${what} that is not a WireGuard interface this agent left behind; ` +
      "remove it or choose another interface name",
  );
}

async function isSocketFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isSocket(),
    () => false,
  );
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
