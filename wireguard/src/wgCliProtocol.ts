import type { PeerChange, PeerStatus } from "./types.ts";

/**
 * Peers from `wg show <iface> dump`. The first line describes the interface, private key included, and
 * is skipped so no secret leaves this function. Peer lines: public-key, preshared-key, endpoint,
 * allowed-ips, latest-handshake, transfer-rx, transfer-tx, persistent-keepalive, tab-separated.
 */
export function parseWgDump(stdout: string): PeerStatus[] {
  const lines = stdout.split("\n").filter((line) => line !== "");
  return lines.slice(1).map((line) => {
    const fields = line.split("\t");
    if (fields.length !== 8) throw new Error(`unexpected \`wg show dump\` line with ${fields.length} fields`);
    const [publicKey = "", , endpoint = "", allowedIps = "", handshake = "", rx = "", tx = ""] = fields;
    const handshakeSeconds = Number(handshake);
    return {
      publicKey,
      allowedIps: allowedIps === "(none)" ? [] : allowedIps.split(","),
      endpoint: endpoint === "(none)" ? null : endpoint,
      rxBytes: Number(rx),
      txBytes: Number(tx),
      lastHandshakeAt: handshakeSeconds === 0 ? null : new Date(handshakeSeconds * 1000),
    };
  });
}

/**
 * `wg set` argument lists for a normalized change, removes first, split so no argv outgrows `maxArgBytes`.
 * `wg set` takes any number of `peer` sections in one call, and its `allowed-ips` REPLACES the peer's list
 * (WGPEER_REPLACE_ALLOWEDIPS; an empty value clears it, per wg(8)) without re-creating the peer, so
 * counters survive. `wg addconf` is not used: wg(8) only promises it "appends", which says nothing
 * about a peer that already exists, and it would need a config file.
 */
export function buildWgSetArgs(interfaceName: string, change: PeerChange, maxArgBytes = 64 * 1024): string[][] {
  const sections: string[][] = [
    ...change.remove.map((key) => ["peer", key, "remove"]),
    ...change.upsert.map((peer) => {
      const section = ["peer", peer.publicKey, "allowed-ips", peer.allowedIps.join(",")];
      if (peer.persistentKeepaliveSeconds !== undefined) {
        section.push("persistent-keepalive", String(peer.persistentKeepaliveSeconds));
      }
      return section;
    }),
  ];
  const head = ["set", interfaceName];
  const size = (args: string[]) => args.reduce((total, arg) => total + Buffer.byteLength(arg) + 1, 0);
  const chunks: string[][] = [];
  let current = [...head];
  for (const section of sections) {
    if (current.length > head.length && size(current) + size(section) > maxArgBytes) {
      chunks.push(current);
      current = [...head];
    }
    current.push(...section);
  }
  if (current.length > head.length) chunks.push(current);
  return chunks;
}
