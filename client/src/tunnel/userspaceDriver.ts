import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { ErrorCode } from "@wg402/shared";
import {
  configureInterface,
  detectWireguardSupport,
  keyToHex,
  runCommand,
  startWireguardGo,
  UapiClient,
  UapiDriver,
  uapiSocketPath,
  type WireguardGoProcess,
} from "@wg402/wireguard";
import { ClientError } from "../errors.ts";
import { rootCauseLine } from "../runtime/rootCause.ts";
import { resolveEndpoint } from "./endpoint.ts";
import { requireRoot } from "./privileges.ts";
import { addRoute, BLOCK_METRIC, deleteRoute, endpointRoute, tunnelPrefixes } from "./routes.ts";
import type {
  PeerReading,
  RouteSpec,
  TunnelDriver,
  TunnelHandle,
  TunnelPrecheck,
  TunnelUp,
  TunnelUpRequest,
} from "./types.ts";

export type UserspaceDriverOptions = {
  /** Bring the tunnel up inside this network namespace (tests, containers). */
  netns?: string;
  isRoot?: () => boolean;
  wireguardGoPath?: string;
};

/**
 * wireguard-go + `ip`, optionally inside a network namespace. The private key goes to the device over its
 * control socket and is never written to disk. Routes: the allowed IPs through the interface (a default
 * route as two /1 halves), the endpoint pinned to the route it had, and `unreachable` routes underneath
 * the tunnel's so that traffic stops, rather than leaks, if the interface goes away.
 */
export class UserspaceDriver implements TunnelDriver {
  readonly kind = "userspace" as const;
  readonly killSwitch = true;
  readonly evidence = "device" as const;
  private readonly options: UserspaceDriverOptions;
  private readonly processes = new Map<string, WireguardGoProcess>();

  constructor(options: UserspaceDriverOptions = {}) {
    this.options = options;
  }

  async precheck(_plan?: TunnelPrecheck): Promise<void> {
    if (process.platform !== "linux") {
      throw new ClientError("the userspace driver is Linux only: use --driver wg-quick or export", {
        code: ErrorCode.tool_missing,
      });
    }
    requireRoot(this.options.isRoot, "the userspace driver", "it creates a network interface");
    const support = await detectWireguardSupport();
    const missing = [
      ...(support.wireguardGo === null && !this.options.wireguardGoPath ? ["wireguard-go"] : []),
      ...(support.ip === null ? ["iproute2"] : []),
    ];
    if (missing.length > 0) {
      throw new ClientError(
        `the userspace driver needs ${missing.join(" and ")}: apt-get install ${missing.join(" ")}`,
        {
          code: ErrorCode.tool_missing,
        },
      );
    }
    if (!support.tun) {
      throw new ClientError("the userspace driver needs /dev/net/tun, which is missing or not accessible", {
        code: ErrorCode.tool_missing,
      });
    }
    if (this.options.netns !== undefined && !existsSync(`/run/netns/${this.options.netns}`)) {
      throw new ClientError(`there is no network namespace named ${this.options.netns}`, {
        code: ErrorCode.invalid_argument,
      });
    }
  }

  async up(request: TunnelUpRequest): Promise<TunnelUp> {
    const { interfaceName: name, config } = request;
    const netns = this.options.netns;
    const where = { netns };
    const peer = config.peers[0];
    if (!peer || config.peers.length !== 1) {
      throw new ClientError("a wg402 tunnel has exactly one peer, the node", {
        code: ErrorCode.invalid_argument,
      });
    }
    const [address, ...moreAddresses] = config.addresses;
    if (!address) throw new ClientError("the config has no address", { code: ErrorCode.invalid_argument });
    const endpoint = peer.endpoint ? await resolveEndpoint(peer.endpoint) : null;

    const handle: TunnelHandle = {
      driver: "userspace",
      interfaceName: name,
      netns: netns ?? null,
      configPath: null,
      serverPublicKey: peer.publicKey,
      routes: [],
      blockRoutes: [],
      routingTable: null,
      blocked: false,
    };
    let started: WireguardGoProcess;
    try {
      started = await startWireguardGo({ name, netns, wireguardGoPath: this.options.wireguardGoPath });
    } catch (error) {
      throw tunnelFailed(`could not start wireguard-go for ${name}`, error);
    }
    this.processes.set(name, started);
    try {
      // Taken before the tunnel's routes exist, so it is the path the UDP packets really use.
      const pinned = endpoint ? await endpointRoute(endpoint.host, where) : null;
      await configureInterface({ name, netns, privateKey: config.privateKey, listenPort: 0, address, via: "uapi" });
      for (const extra of moreAddresses) {
        await runCommand("ip", ["addr", "replace", extra, "dev", name], { netns });
      }
      if (config.mtu) await runCommand("ip", ["link", "set", name, "mtu", String(config.mtu)], { netns });
      await this.setPeer(name, [
        `public_key=${keyToHex(peer.publicKey)}`,
        ...(endpoint ? [`endpoint=${endpoint.uapi}`] : []),
        `persistent_keepalive_interval=${peer.persistentKeepalive ?? 0}`,
        "replace_allowed_ips=true",
        ...peer.allowedIps.map((ip) => `allowed_ip=${ip}`),
      ]);
      if (pinned) {
        await addRoute(pinned, where);
        handle.routes.push(pinned);
      }
      for (const prefix of tunnelPrefixes(peer.allowedIps)) {
        const through: RouteSpec = { ...prefix, dev: name };
        const block: RouteSpec = {
          family: prefix.family,
          prefix: prefix.prefix,
          type: "unreachable",
          metric: BLOCK_METRIC,
        };
        try {
          await addRoute(block, where);
          handle.blockRoutes.push(block);
          await addRoute(through, where);
          handle.routes.push(through);
        } catch (error) {
          // A host with IPv6 turned off has no IPv6 to leak.
          if (prefix.family === 6 && /not supported|Permission denied|disabled/i.test(String(error))) continue;
          throw error;
        }
      }
    } catch (error) {
      await this.down(handle).catch(() => undefined);
      throw tunnelFailed(`could not bring ${name} up`, error);
    }
    const place = netns ? ` in network namespace ${netns}` : "";
    return {
      handle,
      notes: [
        `interface ${name}${place} (wireguard-go, pid ${started.pid}) routes ${peer.allowedIps.join(", ")}`,
        "DNS is not changed by the userspace driver",
      ],
    };
  }

  async block(handle: TunnelHandle): Promise<TunnelHandle> {
    const where = { netns: handle.netns ?? undefined };
    for (const route of handle.blockRoutes) await addRoute(route, where);
    if (existsSync(uapiSocketPath(handle.interfaceName))) {
      // The interface and its routes stay; with no peer, whatever they catch is dropped.
      await this.setPeer(handle.interfaceName, [`public_key=${keyToHex(handle.serverPublicKey)}`, "remove=true"]);
    }
    return { ...handle, blocked: true };
  }

  async down(handle: TunnelHandle): Promise<void> {
    const where = { netns: handle.netns ?? undefined };
    const owned = this.processes.get(handle.interfaceName);
    this.processes.delete(handle.interfaceName);
    if (owned) await owned.stop();
    // Another process's wireguard-go exits when its interface is deleted.
    await runCommand("ip", ["link", "del", handle.interfaceName], where).catch((error: unknown) => {
      if (!/Cannot find device|does not exist|No such device/i.test(String(error))) throw error;
    });
    for (const route of [...handle.routes].reverse()) await deleteRoute(route, where);
    // Last: until here they kept traffic from leaking.
    for (const route of handle.blockRoutes) await deleteRoute(route, where);
    await rm(uapiSocketPath(handle.interfaceName), { force: true });
  }

  /** One `get=1` over the device's control socket. */
  async readPeer(handle: TunnelHandle): Promise<PeerReading | null> {
    if (!existsSync(uapiSocketPath(handle.interfaceName))) return null;
    const device = new UapiDriver({ socketPath: uapiSocketPath(handle.interfaceName), timeoutMs: 5_000 });
    try {
      const peer = (await device.listPeers()).find((p) => p.publicKey === handle.serverPublicKey);
      if (!peer) return null;
      return { lastHandshakeAt: peer.lastHandshakeAt?.getTime() ?? null, rxBytes: peer.rxBytes, txBytes: peer.txBytes };
    } finally {
      await device.close();
    }
  }

  private async setPeer(name: string, lines: string[]): Promise<void> {
    const client = new UapiClient({ socketPath: uapiSocketPath(name), timeoutMs: 10_000 });
    try {
      await client.request(`set=1\n${lines.join("\n")}\n\n`);
    } finally {
      await client.close();
    }
  }
}

function tunnelFailed(message: string, cause: unknown): ClientError {
  if (cause instanceof ClientError) return cause;
  const detail = rootCauseLine(cause instanceof Error ? cause.message : String(cause));
  return new ClientError(`${message}: ${detail}`, { code: ErrorCode.tunnel_failed, cause });
}
