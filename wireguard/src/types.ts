/** One peer as the agent wants it. Keys are standard base64 (44 chars). */
export type PeerConfig = {
  publicKey: string;
  /** CIDRs, or bare addresses (taken as /32 or /128). The device stores them masked. */
  allowedIps: string[];
  /** Omitted leaves the device's current interval alone; 0 turns it off. */
  persistentKeepaliveSeconds?: number;
};

/** One peer as the device reports it. rx/tx are seen from this side: rx is what the peer uploaded. */
export type PeerStatus = {
  publicKey: string;
  /** Canonical masked CIDRs in the device's order; compare them as a set. */
  allowedIps: string[];
  /** "ip:port" or "[ipv6]:port", null until the peer has sent an authenticated packet. */
  endpoint: string | null;
  rxBytes: number;
  txBytes: number;
  lastHandshakeAt: Date | null;
};

/**
 * A batch: upserts set each peer's allowed IPs to exactly the list given (replace_allowed_ips) WITHOUT
 * removing/re-adding the peer (counters survive); removes delete peers by public key. Removes run first.
 * A key may appear only once in the whole batch.
 */
export type PeerChange = { upsert: PeerConfig[]; remove: string[] };

export interface WireguardDriver {
  readonly kind: "uapi" | "wg-cli" | "fake";
  listPeers(): Promise<PeerStatus[]>;
  apply(change: PeerChange): Promise<void>;
  close(): Promise<void>;
}

export type WireguardErrorCode = "invalid_argument" | "io" | "errno" | "closed";

export type WireguardErrorOptions = { code: WireguardErrorCode; errno?: number; cause?: unknown };

/** What wireguard-go answers for a malformed key, CIDR or number (-EINVAL). */
export const EINVAL = -22;

/**
 * - `invalid_argument`: the caller asked for something ambiguous (a key twice in one batch, a bad name);
 * - `errno`: the device refused, or would refuse, the change (`errno` holds its negative errno);
 * - `io`: the device or the `wg` tool could not be reached;
 * - `closed`: the driver was closed.
 */
export class WireguardError extends Error {
  override name = "WireguardError";
  readonly code: WireguardErrorCode;
  readonly errno?: number;

  constructor(message: string, options: WireguardErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    if (options.errno !== undefined) this.errno = options.errno;
  }
}
