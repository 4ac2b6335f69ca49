import { type TunnelConfig, WIREGUARD_PRIVATE_KEY_PLACEHOLDER } from "@wg402/shared";

export type TunnelConfigParameters = {
  serverPublicKey: string;
  endpoint: string;
  address: string;
  allowedIps: string[];
  dns: string[];
  keepaliveSeconds: number;
};

/**
 * The client's side of the tunnel as wg-quick text. The private key is a placeholder: the client generated
 * it and never sent it, so only the client can fill it in.
 */
export function tunnelConfig(p: TunnelConfigParameters): TunnelConfig {
  const lines = [
    "[Interface]",
    `PrivateKey = ${WIREGUARD_PRIVATE_KEY_PLACEHOLDER}`,
    `Address = ${p.address}/32`,
    ...(p.dns.length > 0 ? [`DNS = ${p.dns.join(", ")}`] : []),
    "",
    "[Peer]",
    `PublicKey = ${p.serverPublicKey}`,
    `AllowedIPs = ${p.allowedIps.join(", ")}`,
    `Endpoint = ${p.endpoint}`,
    ...(p.keepaliveSeconds > 0 ? [`PersistentKeepalive = ${p.keepaliveSeconds}`] : []),
    "",
  ];
  return {
    serverPublicKey: p.serverPublicKey,
    endpoint: p.endpoint,
    address: p.address,
    allowedIps: p.allowedIps,
    dns: p.dns,
    configText: lines.join("\n"),
  };
}
