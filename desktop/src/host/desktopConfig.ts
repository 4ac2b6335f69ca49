import { fileURLToPath } from "node:url";
import { ChainKey, EvmAddress, parseConfig } from "@wg402/shared";
import { z } from "zod";

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

const seconds = (fallback: number) => z.coerce.number().positive().max(3_600).default(fallback);

export const defaultStaticDir = fileURLToPath(new URL("../../dist/app/renderer", import.meta.url));

/**
 * What the desktop host reads from the environment, once, at start-up: the daemon (`npm run ui`) and the
 * Electron main process share it. WG402_HOME, WG402_STACK_FILE and the RPC overrides are read by the client
 * core itself from the same environment.
 */
export const DesktopConfig = z.object({
  /** Loopback only: the API holds an unlocked wallet. */
  WG402_UI_HOST: z.enum(["127.0.0.1"]).default("127.0.0.1"),
  WG402_UI_PORT: z.coerce.number().int().min(0).max(65_535).default(4030),
  WG402_UI_STATIC_DIR: z.string().default(defaultStaticDir),
  /** auto: wg-quick when running as root, else export (a .conf for the WireGuard app, no root). */
  WG402_UI_DRIVER: z.enum(["auto", "wg-quick", "userspace", "export"]).default("auto"),
  /** Default of the low-balance warning: the balance covers fewer minutes than this. Settings override it. */
  WG402_UI_LOW_BALANCE_MINUTES: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** While connected, how often the wallet's balance is read (it can fall for reasons outside this app). */
  WG402_UI_BALANCE_POLL_SECONDS: seconds(15),
  /** How often the node is asked for the lease's numbers. */
  WG402_UI_STATUS_SECONDS: seconds(5),
  /** userspace: bring the tunnel up inside this network namespace (tests, containers), as the CLI's --netns. */
  WG402_UI_NETNS: z.string().optional(),
  /** The tunnel's interface name; default the core's (wg402-client). Tests running side by side set their own. */
  WG402_UI_INTERFACE: z
    .string()
    .regex(/^[A-Za-z0-9_=+.-]{1,15}$/, "must be a Linux interface name (1-15 letters, digits, _=+.-)")
    .optional(),
  /**
   * How long a tunnel may go without a handshake or received bytes before it is stalled (renewals held).
   * Default: the core's (3 minutes, past WireGuard's 2-minute re-handshake); tests shorten it.
   */
  WG402_UI_STALE_AFTER_SECONDS: z.coerce.number().positive().max(3_600).optional(),
  /** Extra nodes to list, comma separated, besides the local stack's agent and those the user added. */
  WG402_UI_NODES: csv.default([]),
  /**
   * A NodeRegistry to list nodes from, on WG402_REGISTRY_CHAIN; without it, the local stack's registry (if
   * any). No registry at all: only the custom nodes are listed.
   */
  WG402_REGISTRY: EvmAddress.optional(),
  /** The chain WG402_REGISTRY is on (local, base-sepolia, base; default local, as the CLI); RPC: WG402_RPC_URL_*. */
  WG402_REGISTRY_CHAIN: ChainKey.default("local"),
  /** Where the user's settings and history live; default: WG402_HOME. */
  WG402_HOME: z.string().optional(),
  WG402_STACK_FILE: z.string().optional(),
});
export type DesktopConfig = z.infer<typeof DesktopConfig>;

export function loadDesktopConfig(env: Record<string, string | undefined> = process.env): DesktopConfig {
  return parseConfig(DesktopConfig, env);
}
