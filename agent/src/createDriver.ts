import { FakeDriver, generateKeyPair, type WireguardDriver } from "@wg402/wireguard";
import type { Logger } from "pino";
import type { AgentConfig } from "./config.ts";
import { setupDevice } from "./device/setupDevice.ts";
import { intToIp, parseSubnet } from "./ledger/ipv4.ts";

export type CreatedDriver = {
  driver: WireguardDriver;
  serverPublicKey: string;
  /** One line for logs and `npm start`: which driver, on which device. */
  describe: string;
  /** Called after the device was lost and recreated with no peers. */
  onRecreated: (listener: () => void) => void;
  /** Stops whatever the agent started for its device. */
  shutdown: () => Promise<void>;
};

/** The WireGuard device and driver the config asks for. */
export async function createDriver(config: AgentConfig, logger: Logger): Promise<CreatedDriver> {
  if (config.AGENT_WG_MODE === "fake") {
    logger.warn("using the in-memory FakeDriver: leases are sold and tracked, but no packet is forwarded");
    return {
      driver: new FakeDriver(),
      serverPublicKey: config.AGENT_WG_PUBLIC_KEY ?? generateKeyPair().publicKey,
      describe: "fake (in-memory, no tunnel)",
      onRecreated: () => {},
      shutdown: async () => {},
    };
  }
  const subnet = parseSubnet(config.AGENT_WG_SUBNET);
  const device = await setupDevice({
    interfaceName: config.AGENT_WG_INTERFACE,
    listenPort: config.AGENT_WG_LISTEN_PORT,
    address: `${intToIp(subnet.gateway)}/${subnet.prefix}`,
    privateKeyFile: config.AGENT_WG_PRIVATE_KEY_FILE,
    netns: config.AGENT_WG_NETNS,
    mode: config.AGENT_WG_MODE,
    logger,
  });
  return {
    driver: device.driver,
    serverPublicKey: device.publicKey,
    describe: device.describe,
    onRecreated: (listener) => {
      device.onRecreated(listener);
    },
    shutdown: () => device.stop(),
  };
}
