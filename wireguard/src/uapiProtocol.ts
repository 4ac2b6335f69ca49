import { keyFromHex, keyToHex } from "./keys.ts";
import type { PeerChange, PeerStatus } from "./types.ts";

/**
 * One `set=1` request for a normalized change: removes first, then upserts. Each upsert carries
 * replace_allowed_ips so the list becomes exact while the peer, its session and counters stay.
 * Never replace_peers: that would drop every other peer.
 */
export function encodeSetRequest(change: PeerChange): string {
  const lines = ["set=1"];
  for (const key of change.remove) lines.push(`public_key=${keyToHex(key)}`, "remove=true");
  for (const peer of change.upsert) {
    lines.push(`public_key=${keyToHex(peer.publicKey)}`, "replace_allowed_ips=true");
    for (const ip of peer.allowedIps) lines.push(`allowed_ip=${ip}`);
    if (peer.persistentKeepaliveSeconds !== undefined) {
      lines.push(`persistent_keepalive_interval=${peer.persistentKeepaliveSeconds}`);
    }
  }
  return `${lines.join("\n")}\n\n`;
}

export const GET_REQUEST = "get=1\n\n";

/**
 * Peers from a `get=1` reply body (the lines before `errno=`). Device lines before the first public_key,
 * private_key among them, are skipped so no secret leaves this function.
 */
export function parseGetResponse(body: string): PeerStatus[] {
  const peers: PeerStatus[] = [];
  let peer: PeerStatus | null = null;
  let handshakeSec = 0;
  let handshakeNsec = 0;
  const finish = () => {
    if (peer === null) return;
    if (handshakeSec !== 0 || handshakeNsec !== 0) {
      peer.lastHandshakeAt = new Date(handshakeSec * 1000 + Math.floor(handshakeNsec / 1e6));
    }
    peers.push(peer);
  };
  for (const line of body.split("\n")) {
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "public_key") {
      finish();
      peer = {
        publicKey: keyFromHex(value),
        allowedIps: [],
        endpoint: null,
        rxBytes: 0,
        txBytes: 0,
        lastHandshakeAt: null,
      };
      handshakeSec = 0;
      handshakeNsec = 0;
      continue;
    }
    if (peer === null) continue;
    switch (key) {
      case "allowed_ip":
        peer.allowedIps.push(value);
        break;
      case "endpoint":
        peer.endpoint = value;
        break;
      case "rx_bytes":
        peer.rxBytes = Number(value);
        break;
      case "tx_bytes":
        peer.txBytes = Number(value);
        break;
      case "last_handshake_time_sec":
        handshakeSec = Number(value);
        break;
      case "last_handshake_time_nsec":
        handshakeNsec = Number(value);
        break;
    }
  }
  finish();
  return peers;
}
