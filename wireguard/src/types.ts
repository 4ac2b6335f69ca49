import { BaseError, type DeviceErrorCode } from "@wg402/shared";
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

export type WireguardErrorCode = DeviceErrorCode;

export type WireguardErrorOptions = { code: WireguardErrorCode; errno?: number; cause?: unknown };

/** What wireguard-go answers for a malformed key, CIDR or number (-EINVAL). */
export const EINVAL = -22;

/** A failure of the WireGuard control layer; its codes are {@link DeviceErrorCode} (see shared). */
export class WireguardError extends BaseError<WireguardErrorCode> {
  override name = "WireguardError";
  override readonly onWire = false;
  readonly errno?: number;

  constructor(message: string, options: WireguardErrorOptions) {
    super(message, {
      code: options.code,
      cause: options.cause,
      details: options.errno === undefined ? undefined : { errno: options.errno },
    });
    if (options.errno !== undefined) this.errno = options.errno;
  }
}
