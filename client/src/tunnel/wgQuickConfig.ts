import { ErrorCode, WIREGUARD_PRIVATE_KEY_PLACEHOLDER } from "@wg402/shared";
import { isValidKey } from "@wg402/wireguard";
import { ClientError } from "../errors.ts";

export type WgQuickPeer = {
  publicKey: string;
  allowedIps: string[];
  endpoint: string | null;
  persistentKeepalive: number | null;
};

export type WgQuickConfig = {
  privateKey: string;
  /** Interface addresses with their prefix, e.g. "10.64.0.2/32". */
  addresses: string[];
  dns: string[];
  mtu: number | null;
  peers: WgQuickPeer[];
};

const PLACEHOLDER_LINE = new RegExp(`^(\\s*PrivateKey\\s*=\\s*)${WIREGUARD_PRIVATE_KEY_PLACEHOLDER}\\s*$`, "m");

/**
 * The node's wg-quick text with the client's private key written in. The key exists only here and in the
 * 0600 file or device it is written to; it never crosses the network.
 */
export function renderTunnelConfig(
  configText: string,
  privateKey: string,
  options: { dropDns?: boolean } = {},
): string {
  if (!isValidKey(privateKey)) {
    throw new ClientError("the WireGuard private key is not 32 bytes of base64", {
      code: ErrorCode.invalid_argument,
    });
  }
  const matches = configText.match(new RegExp(PLACEHOLDER_LINE.source, "gm")) ?? [];
  if (matches.length !== 1) {
    throw new ClientError(
      `the node's config must hold exactly one "PrivateKey = ${WIREGUARD_PRIVATE_KEY_PLACEHOLDER}" line`,
      {
        code: ErrorCode.not_a_wg402_node,
      },
    );
  }
  let text = configText.replace(PLACEHOLDER_LINE, `$1${privateKey}`);
  if (options.dropDns) text = dropDnsLines(text);
  // The node's text is data, not commands: wg-quick runs PostUp and friends through a shell.
  const hook = /^\s*(PreUp|PostUp|PreDown|PostDown|SaveConfig)\s*=/im.exec(text);
  if (hook) {
    throw new ClientError(`the node's config contains "${hook[1]}", which would run commands here; refusing it`, {
      code: ErrorCode.not_a_wg402_node,
    });
  }
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** Without its DNS lines, for a system whose resolver is kept. */
export function dropDnsLines(text: string): string {
  return text.replace(/^[ \t]*DNS[ \t]*=.*(\r?\n)?/gim, "");
}

/** Parses wg-quick text (the subset wg402 nodes write): [Interface] and [Peer] sections of key = value lines. */
export function parseWgQuickConfig(text: string): WgQuickConfig {
  const config: WgQuickConfig = { privateKey: "", addresses: [], dns: [], mtu: null, peers: [] };
  let section: "interface" | "peer" | null = null;
  let peer: WgQuickPeer | null = null;
  const list = (value: string) =>
    value
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      const name = header[1]?.toLowerCase();
      if (name === "interface") section = "interface";
      else if (name === "peer") {
        section = "peer";
        peer = { publicKey: "", allowedIps: [], endpoint: null, persistentKeepalive: null };
        config.peers.push(peer);
      } else throw invalid(`unknown section [${header[1]}]`, index);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq === -1 || section === null) throw invalid(`unexpected "${line.slice(0, 40)}"`, index);
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (section === "interface") {
      if (key === "privatekey") config.privateKey = value;
      else if (key === "address") config.addresses.push(...list(value));
      else if (key === "dns") config.dns.push(...list(value));
      else if (key === "mtu") config.mtu = Number(value);
    } else if (peer) {
      if (key === "publickey") peer.publicKey = value;
      else if (key === "allowedips") peer.allowedIps.push(...list(value));
      else if (key === "endpoint") peer.endpoint = value;
      else if (key === "persistentkeepalive") peer.persistentKeepalive = value === "off" ? 0 : Number(value);
    }
  }
  if (!isValidKey(config.privateKey)) throw invalid("[Interface] has no valid PrivateKey", 0);
  if (config.addresses.length === 0) throw invalid("[Interface] has no Address", 0);
  for (const p of config.peers) {
    if (!isValidKey(p.publicKey)) throw invalid("a [Peer] has no valid PublicKey", 0);
  }
  return config;
}

function invalid(why: string, index: number): ClientError {
  return new ClientError(`invalid WireGuard config${index > 0 ? ` (line ${index + 1})` : ""}: ${why}`, {
    code: ErrorCode.invalid_argument,
  });
}
