import type { WireguardDriver } from "@wg402/wireguard";
import { FakeDriver, generateKeyPair } from "@wg402/wireguard";
import type { Logger } from "pino";
import type { AgentConfig } from "./config.ts";

export type CreatedDriver = {
  driver: WireguardDriver;
  serverPublicKey: string;
  /** One line for logs and `npm start`: which driver, on which device. */
  describe: string;
  /** Stops whatever the agent started for its device. */
  shutdown: () => Promise<void>;
};

/** The WireGuard driver the config asks for. */
export async function createDriver(config: AgentConfig, logger: Logger): Promise<CreatedDriver> {
  if (config.AGENT_WG_DRIVER === "fake") {
    logger.warn("using the in-memory FakeDriver: leases are sold and tracked, but no packet is forwarded");
    return {
      driver: new FakeDriver(),
      serverPublicKey: config.AGENT_WG_PUBLIC_KEY ?? generateKeyPair().publicKey,
      describe: "fake (in-memory, no tunnel)",
      shutdown: async () => {},
    };
  }
  throw new Error(`the ${config.AGENT_WG_DRIVER} driver is not wired yet`);
}
