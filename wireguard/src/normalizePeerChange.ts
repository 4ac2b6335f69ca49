import { canonicalAllowedIps } from "./allowedIps.ts";
import { isValidKey } from "./keys.ts";
import { EINVAL, type PeerChange, type PeerConfig, WireguardError } from "./types.ts";

/**
 * Checks a whole batch before anything is sent and returns it with canonical allowed IPs.
 * wireguard-go applies a `set=1` line by line and stops at the first bad one, so a batch it rejects would be
 * half-applied; catching every value the device would refuse here keeps a rejected batch all-or-nothing.
 * Such values fail exactly like the device would (errno -22); an ambiguous batch is the caller's bug.
 */
export function normalizePeerChange(change: PeerChange): PeerChange {
  const seen = new Set<string>();
  const claim = (key: string) => {
    if (!isValidKey(key)) invalid(`invalid public key ${JSON.stringify(key)}`);
    if (seen.has(key)) {
      throw new WireguardError(`peer ${key} appears more than once in one change`, { code: "invalid_argument" });
    }
    seen.add(key);
  };
  for (const key of change.remove) claim(key);
  const upsert = change.upsert.map((peer): PeerConfig => {
    claim(peer.publicKey);
    const allowedIps = canonicalAllowedIps(peer.allowedIps);
    if (allowedIps === null) invalid(`invalid allowed IPs ${JSON.stringify(peer.allowedIps)} for ${peer.publicKey}`);
    const keepalive = peer.persistentKeepaliveSeconds;
    if (keepalive === undefined) return { publicKey: peer.publicKey, allowedIps };
    if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) {
      invalid(`invalid persistent keepalive ${keepalive} for ${peer.publicKey}`);
    }
    return { publicKey: peer.publicKey, allowedIps, persistentKeepaliveSeconds: keepalive };
  });
  return { upsert, remove: [...change.remove] };
}

export function isEmptyChange(change: PeerChange): boolean {
  return change.upsert.length === 0 && change.remove.length === 0;
}

function invalid(message: string): never {
  throw new WireguardError(message, { code: "errno", errno: EINVAL });
}
