import type { PeerChange, PeerConfig, PeerStatus } from "@wg402/wireguard";
import { sameAllowedIps } from "@wg402/wireguard";

/**
 * The smallest change that turns the device's peers into the desired ones: add what is missing, rewrite a
 * peer only if its allowed IPs differ (never one that is already right), remove what the ledger does not know.
 */
export function diffPeers(desired: PeerConfig[], actual: PeerStatus[]): PeerChange {
  const actualByKey = new Map(actual.map((peer) => [peer.publicKey, peer]));
  const desiredKeys = new Set(desired.map((peer) => peer.publicKey));
  const upsert = desired.filter((peer) => {
    const current = actualByKey.get(peer.publicKey);
    return !current || !sameAllowedIps(current.allowedIps, peer.allowedIps);
  });
  const remove = actual.filter((peer) => !desiredKeys.has(peer.publicKey)).map((peer) => peer.publicKey);
  return { upsert, remove };
}
