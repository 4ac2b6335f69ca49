import { isIPv4 } from "node:net";
import { canonicalAllowedIp, runCommand } from "@wg402/wireguard";
import type { RouteSpec } from "./types.ts";

/** Above anything an OS installs by itself (IPv6 routes default to 1024), so tunnel routes always win. */
export const BLOCK_METRIC = 65_000;

/**
 * The prefixes to route through the tunnel for its allowed IPs. A default route becomes two halves
 * (0.0.0.0/1 + 128.0.0.0/1): more specific than the existing default, which is left alone for the
 * endpoint's own packets, and removed with the interface.
 */
export function tunnelPrefixes(allowedIps: readonly string[]): RouteSpec[] {
  const out: RouteSpec[] = [];
  const push = (prefix: string) => {
    const family = prefix.includes(":") ? 6 : 4;
    if (!out.some((r) => r.prefix === prefix)) out.push({ family, prefix, type: "unicast" });
  };
  for (const ip of allowedIps) {
    const canonical = canonicalAllowedIp(ip);
    if (canonical === null) continue;
    if (canonical === "0.0.0.0/0") {
      push("0.0.0.0/1");
      push("128.0.0.0/1");
    } else if (canonical === "::/0") {
      push("::/1");
      push("8000::/1");
    } else push(canonical);
  }
  return out;
}

export function routeArgs(route: RouteSpec, verb: "replace" | "del"): string[] {
  const args = [`-${route.family}`, "route", verb];
  if (route.type === "unreachable") args.push("unreachable");
  args.push(route.prefix);
  if (route.via) args.push("via", route.via);
  if (route.dev) args.push("dev", route.dev);
  if (route.table) args.push("table", route.table);
  if (route.metric !== undefined) args.push("metric", String(route.metric));
  return args;
}

export type IpRunner = { netns?: string; ipPath?: string };

export async function addRoute(route: RouteSpec, where: IpRunner): Promise<void> {
  await runCommand(where.ipPath ?? "ip", routeArgs(route, "replace"), { netns: where.netns });
}

/** Deletes a route; one that is already gone is fine. */
export async function deleteRoute(route: RouteSpec, where: IpRunner): Promise<void> {
  await runCommand(where.ipPath ?? "ip", routeArgs(route, "del"), { netns: where.netns }).catch((error: unknown) => {
    if (!/No such process|No such device|Cannot find device|does not exist|not found/i.test(String(error))) throw error;
  });
}

/**
 * The route the endpoint's packets take now (before the tunnel's routes exist), pinned as a host route so
 * the tunnel's own UDP never loops into itself. Null when the endpoint is local.
 */
export async function endpointRoute(endpointIp: string, where: IpRunner): Promise<RouteSpec | null> {
  const family = isIPv4(endpointIp) ? 4 : 6;
  const { stdout } = await runCommand(where.ipPath ?? "ip", [`-${family}`, "route", "get", endpointIp], {
    netns: where.netns,
  });
  const first = stdout.split("\n")[0]?.trim() ?? "";
  if (first.startsWith("local") || / dev lo\b/.test(first)) return null;
  const via = / via (\S+)/.exec(first)?.[1];
  const dev = / dev (\S+)/.exec(first)?.[1];
  if (!dev) return null;
  return { family, prefix: `${endpointIp}/${family === 4 ? 32 : 128}`, type: "unicast", dev, ...(via ? { via } : {}) };
}
