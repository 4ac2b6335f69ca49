// Test-only: a wireguard-go "node" in one network namespace that already knows the client's public key, and
// a client namespace whose "open internet" is a default route over the veth (where tunnel traffic must never go).
import { generateKeyPair, type KeyPair, UapiDriver } from "@wg402/wireguard";
import {
  createNetnsPair,
  execIn,
  type NetnsPair,
  startTestInterface,
  type TestInterface,
} from "@wg402/wireguard/testing";
import { renderTunnelConfig } from "../tunnel/wgQuickConfig.ts";

export type StandInNode = {
  pair: NetnsPair;
  server: TestInterface;
  serverDriver: UapiDriver;
  clientKeys: KeyPair;
  /** The node's tunnel address. */
  gateway: string;
  /** The config text such a node sends, with the client's private key written in locally. */
  configText: (options: { allowedIps: string; keepalive?: number }) => string;
  stop: () => Promise<void>;
};

export async function startStandInNode(options: { prefix: string; subnet: string }): Promise<StandInNode> {
  const pair = await createNetnsPair({ prefix: options.prefix });
  let server: TestInterface | undefined;
  let serverDriver: UapiDriver | undefined;
  const stop = async () => {
    await serverDriver?.close();
    await server?.stop();
    await pair.cleanup();
  };
  try {
    await execIn(pair.b, "ip", ["route", "add", "default", "via", pair.addrA]);
    const gateway = `${options.subnet}.1`;
    server = await startTestInterface({ netns: pair.a, address: `${gateway}/24`, listenPort: 51820 });
    const clientKeys = generateKeyPair();
    // The node knows the client only by its public key, as the agent does.
    serverDriver = new UapiDriver({ socketPath: server.process?.socketPath ?? "" });
    await serverDriver.apply({
      upsert: [{ publicKey: clientKeys.publicKey, allowedIps: [`${options.subnet}.2/32`] }],
      remove: [],
    });
    const serverKey = server.keys.publicKey;
    const configText = ({ allowedIps, keepalive }: { allowedIps: string; keepalive?: number }) =>
      renderTunnelConfig(
        [
          "[Interface]",
          "PrivateKey = PRIVATE_KEY_PLACEHOLDER",
          `Address = ${options.subnet}.2/32`,
          `DNS = ${gateway}`,
          "",
          "[Peer]",
          `PublicKey = ${serverKey}`,
          `AllowedIPs = ${allowedIps}`,
          `Endpoint = ${pair.addrA}:51820`,
          ...(keepalive === undefined ? [] : [`PersistentKeepalive = ${keepalive}`]),
          "",
        ].join("\n"),
        clientKeys.privateKey,
      );
    return { pair, server, serverDriver, clientKeys, gateway, configText, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
