import { z } from "zod";
import type { WgQuickConfig } from "./wgQuickConfig.ts";

export const TunnelDriverKind = z.enum(["wg-quick", "userspace", "export"]);
export type TunnelDriverKind = z.infer<typeof TunnelDriverKind>;

/** One `ip route` entry: through a device, or a blocking (`unreachable`) one. */
export const RouteSpec = z.object({
  family: z.union([z.literal(4), z.literal(6)]),
  prefix: z.string(),
  type: z.enum(["unicast", "unreachable"]).default("unicast"),
  dev: z.string().optional(),
  via: z.string().optional(),
  table: z.string().optional(),
  metric: z.number().int().nonnegative().optional(),
});
export type RouteSpec = z.infer<typeof RouteSpec>;

/**
 * What a driver needs to block or tear down a tunnel, also from another process (`wg402 disconnect`): it is
 * kept in the state file, so it holds no secret.
 */
export const TunnelHandle = z.object({
  driver: TunnelDriverKind,
  interfaceName: z.string(),
  netns: z.string().nullable(),
  /** The config file, which holds the private key (wg-quick, export); deleted on down. */
  configPath: z.string().nullable(),
  serverPublicKey: z.string(),
  /** Routes the driver installed (userspace), removed on down. */
  routes: z.array(RouteSpec),
  /** Blocking routes kept under the tunnel's, so traffic stops rather than leaks if the interface vanishes. */
  blockRoutes: z.array(RouteSpec),
  /** wg-quick's policy-routing table (its fwmark) when it routes a default route, for cleanup. */
  routingTable: z.string().nullable().default(null),
  /** True once the kill switch holds traffic. */
  blocked: z.boolean(),
});
export type TunnelHandle = z.infer<typeof TunnelHandle>;

export type TunnelUpRequest = {
  interfaceName: string;
  /** The wg-quick text with the private key written in. */
  configText: string;
  config: WgQuickConfig;
};

export type TunnelUp = {
  handle: TunnelHandle;
  /** Sentences for the user: where the config is, what is and is not managed. */
  notes: string[];
  /** A terminal QR code of the config (export). */
  qr?: string;
};

export type TunnelPrecheck = {
  /** The node's DNS servers (wg-quick needs resolvconf to apply them). */
  dns: string[];
  /**
   * The allowed IPs the node will send, when known before paying (node info does not carry them yet):
   * unknown counts as a full tunnel, which with wg-quick needs iptables or nft.
   */
  allowedIps?: string[] | null;
};

/** The client's own view of the node's peer: WireGuard's latest handshake and the peer's counters. */
export type PeerReading = {
  /** ms since the epoch, null before the first handshake. */
  lastHandshakeAt: number | null;
  /** Bytes received from the node. */
  rxBytes: number;
  txBytes: number;
};

/**
 * Where a driver's evidence of a working tunnel comes from: its own WireGuard device, or (export, which has
 * none) the node's view of the lease (`GET /lease/:id` usage: last handshake and bytes).
 */
export type LinkEvidence = "device" | "node";

/** A way to bring the client's side of a lease up and down. */
export interface TunnelDriver {
  readonly kind: TunnelDriverKind;
  /** Whether `block` can hold traffic when the lease ends (wg-quick, userspace); export cannot. */
  readonly killSwitch: boolean;
  readonly evidence: LinkEvidence;
  /** Everything that would make `up` fail (root, tools), checked before any payment. */
  precheck(plan: TunnelPrecheck): Promise<void>;
  up(request: TunnelUpRequest): Promise<TunnelUp>;
  /**
   * The kill switch: the tunnel stops carrying traffic but its routes stay, so nothing falls back to the open
   * internet until `down`. Idempotent.
   */
  block(handle: TunnelHandle): Promise<TunnelHandle>;
  /** Removes everything `up` and `block` made, including the config file. Idempotent. */
  down(handle: TunnelHandle): Promise<void>;
  /** The node's peer as this machine's device sees it; null when there is no device (export) or no peer. */
  readPeer(handle: TunnelHandle): Promise<PeerReading | null>;
}
