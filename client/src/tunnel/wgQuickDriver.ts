import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode } from "@wg402/shared";
import { detectWireguardSupport, runCommand, WgCliDriver } from "@wg402/wireguard";
import { ClientError } from "../errors.ts";
import { writeSecretFile } from "../files/secretFile.ts";
import { rootCauseLine } from "../runtime/rootCause.ts";
import { isFullTunnel, missingTools, type ToolNeed, toolsMissingError } from "./prerequisites.ts";
import { findExecutable, requireRoot } from "./privileges.ts";
import { addRoute, BLOCK_METRIC, deleteRoute, tunnelPrefixes } from "./routes.ts";
import type {
  PeerReading,
  RouteSpec,
  TunnelDriver,
  TunnelHandle,
  TunnelPrecheck,
  TunnelUp,
  TunnelUpRequest,
} from "./types.ts";
import { dropDnsLines } from "./wgQuickConfig.ts";

export type WgQuickDriverOptions = {
  /** Where `<interface>.conf` is written (0600; wg-quick names the interface after the file). */
  tunnelsDir: string;
  /** Keep the system's resolver instead of the node's DNS (wg-quick needs resolvconf to set DNS). */
  ignoreDns?: boolean;
  netns?: string;
  isRoot?: () => boolean;
  /** The PATH wg-quick runs with (and finds its tools on); default the process's. */
  searchPath?: string;
};

/**
 * The system's `wg-quick` (kernel WireGuard, or wireguard-go where the kernel has none). wg-quick owns the
 * routing (on Linux, fwmark policy routing for a default route); the kill switch removes the node's peer,
 * so the interface and its routes catch everything and send nothing, and adds `unreachable` routes under
 * them in case the interface disappears.
 */
export class WgQuickDriver implements TunnelDriver {
  readonly kind = "wg-quick" as const;
  readonly killSwitch = true;
  readonly evidence = "device" as const;
  private readonly options: WgQuickDriverOptions;

  constructor(options: WgQuickDriverOptions) {
    this.options = options;
  }

  /**
   * Root, then every program wg-quick will call for this node, before anything is paid: wg-quick and wg,
   * wireguard-go where the kernel has no WireGuard, ip, resolvconf for the node's DNS, and iptables or nft
   * for a full tunnel. Missing ones are named together with the one apt line that installs them.
   */
  async precheck(plan: TunnelPrecheck): Promise<void> {
    requireRoot(this.options.isRoot, "the wg-quick driver", "wg-quick changes interfaces and routes");
    const searchPath = this.options.searchPath ?? process.env.PATH ?? "";
    const needs: ToolNeed[] = [
      { anyOf: ["wg-quick"], debianPackage: "wireguard-tools", why: "it brings the tunnel up" },
      { anyOf: ["wg"], debianPackage: "wireguard-tools", why: "wg-quick configures WireGuard with it" },
    ];
    if (process.platform === "linux") {
      needs.push({ anyOf: ["ip"], debianPackage: "iproute2", why: "wg-quick sets addresses and routes with it" });
      if (!(await detectWireguardSupport()).kernel) {
        needs.push({
          anyOf: ["wireguard-go"],
          debianPackage: "wireguard-go",
          why: "this kernel has no WireGuard module",
        });
      }
      if (plan.dns.length > 0 && !this.options.ignoreDns) {
        needs.push({
          anyOf: ["resolvconf"],
          debianPackage: "openresolv",
          why: "wg-quick applies the node's DNS with it; or pass --ignore-dns to keep your resolver",
        });
      }
      if (isFullTunnel(plan.allowedIps)) {
        needs.push({
          anyOf: ["iptables-restore", "nft"],
          debianPackage: "iptables",
          why: "wg-quick's full tunnel sets firewall rules with it",
        });
      }
    }
    const missing = await missingTools(needs, searchPath);
    if (missing.length > 0) throw toolsMissingError("wg-quick", missing);
  }

  async up(request: TunnelUpRequest): Promise<TunnelUp> {
    const name = request.interfaceName;
    const peer = request.config.peers[0];
    if (!peer) throw new ClientError("the config has no peer", { code: ErrorCode.invalid_argument });
    const configPath = join(this.options.tunnelsDir, `${name}.conf`);
    const text = this.options.ignoreDns ? dropDnsLines(request.configText) : request.configText;
    await writeSecretFile(configPath, text);
    const handle: TunnelHandle = {
      driver: "wg-quick",
      interfaceName: name,
      netns: this.options.netns ?? null,
      configPath,
      serverPublicKey: peer.publicKey,
      routes: tunnelPrefixes(peer.allowedIps),
      blockRoutes: [],
      routingTable: null,
      blocked: false,
    };
    try {
      await runCommand("wg-quick", ["up", configPath], { netns: this.options.netns, timeoutMs: 60_000 });
    } catch (error) {
      await rm(configPath, { force: true });
      const output = (error as Error).message.replace(/^.*? failed: /, "");
      throw new ClientError(`wg-quick up failed: ${rootCauseLine(output)}`, {
        code: ErrorCode.tunnel_failed,
        cause: error,
      });
    }
    handle.routingTable = await this.fwmarkTable(name, this.options.netns);
    return { handle, notes: [`wg-quick up ${configPath}`] };
  }

  async block(handle: TunnelHandle): Promise<TunnelHandle> {
    const netns = handle.netns ?? undefined;
    const blockRoutes = handle.blockRoutes.length > 0 ? handle.blockRoutes : await this.blockRoutesFor(handle);
    for (const route of blockRoutes) {
      await addRoute(route, { netns }).catch((error: unknown) => {
        if (!(route.family === 6 && /not supported|disabled/i.test(String(error)))) throw error;
      });
    }
    await runCommand("wg", ["set", handle.interfaceName, "peer", handle.serverPublicKey, "remove"], { netns }).catch(
      (error: unknown) => {
        // No interface left: the blocking routes are what holds traffic now.
        if (!/No such device|Unable to access interface/i.test(String(error))) throw error;
      },
    );
    return { ...handle, blockRoutes, blocked: true };
  }

  async down(handle: TunnelHandle): Promise<void> {
    const netns = handle.netns ?? undefined;
    if (handle.configPath) {
      const gone = await runCommand("wg-quick", ["down", handle.configPath], { netns, timeoutMs: 60_000 }).then(
        () => false,
        (error: unknown) => {
          if (/is not a WireGuard interface|does not exist|No such file/i.test(String(error))) return true;
          throw error;
        },
      );
      // The interface vanished without wg-quick (its wireguard-go died): undo what wg-quick up left.
      if (gone) await removePolicyRouting(handle, netns);
      await rm(handle.configPath, { force: true });
    }
    for (const route of handle.blockRoutes) await deleteRoute(route, { netns });
  }

  async readPeer(handle: TunnelHandle): Promise<PeerReading | null> {
    const device = new WgCliDriver({ interfaceName: handle.interfaceName, netns: handle.netns ?? undefined });
    const peers = await device.listPeers();
    const peer = peers.find((p) => p.publicKey === handle.serverPublicKey);
    if (!peer) return null;
    return { lastHandshakeAt: peer.lastHandshakeAt?.getTime() ?? null, rxBytes: peer.rxBytes, txBytes: peer.txBytes };
  }

  private async fwmarkTable(name: string, netns: string | undefined): Promise<string | null> {
    const fwmark = await runCommand("wg", ["show", name, "fwmark"], { netns }).then(
      (r) => r.stdout.trim(),
      () => "off",
    );
    return fwmark && fwmark !== "off" ? String(Number(fwmark)) : null;
  }

  /**
   * With a default route wg-quick sends everything not marked with its fwmark to the table of that number;
   * an `unreachable` default in that table catches traffic if the interface's own route disappears.
   * Without fwmark the allowed IPs are plain routes in the main table.
   */
  private async blockRoutesFor(handle: TunnelHandle): Promise<RouteSpec[]> {
    const table = handle.routingTable ?? (await this.fwmarkTable(handle.interfaceName, handle.netns ?? undefined));
    const routes: RouteSpec[] = [];
    for (const route of handle.routes) {
      const wide = route.prefix.endsWith("/1");
      if (table && wide) {
        const prefix = route.family === 4 ? "0.0.0.0/0" : "::/0";
        if (!routes.some((r) => r.prefix === prefix)) {
          routes.push({ family: route.family, prefix, type: "unreachable", table, metric: BLOCK_METRIC });
        }
      } else {
        routes.push({ family: route.family, prefix: route.prefix, type: "unreachable", metric: BLOCK_METRIC });
      }
    }
    return routes;
  }
}

/** What `wg-quick down` removes for a default route: its rules, and its nftables table. */
async function removePolicyRouting(handle: TunnelHandle, netns: string | undefined): Promise<void> {
  const table = handle.routingTable;
  if (!table) return;
  for (const family of ["-4", "-6"]) {
    for (const rule of [
      ["table", table],
      ["table", "main", "suppress_prefixlength", "0"],
    ]) {
      // One delete per copy of the rule; stop at the first "no such rule".
      for (let i = 0; i < 8; i++) {
        const ok = await runCommand("ip", [family, "rule", "delete", ...rule], { netns }).then(
          () => true,
          () => false,
        );
        if (!ok) break;
      }
    }
  }
  if (await findExecutable("nft")) {
    for (const family of ["ip", "ip6"]) {
      await runCommand("nft", ["delete", "table", family, `wg-quick-${handle.interfaceName}`], { netns }).catch(
        () => undefined,
      );
    }
  }
}
