// The agent process: parse config once, open the ledger, restore WireGuard from it, listen, and shut down
// gracefully on SIGINT/SIGTERM. The agent's own start() runs its sweep, meter and reconcile ticks.
import type { AddressInfo } from "node:net";
import { onShutdownSignal } from "@wg402/service-kit";
import { BaseError } from "@wg402/shared";
import { pino } from "pino";
import { buildAgent } from "./buildAgent.ts";
import { loadAgentConfig } from "./config.ts";
import { createDriver } from "./createDriver.ts";
import { formatMode } from "./device/keyFile.ts";
import { runRegistryCommand } from "./registry/registryCommands.ts";
import { loadOperatorKey } from "./registry/registryConfig.ts";
import { loadSigningKey } from "./signing/signingKey.ts";

async function main() {
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig();
  } catch (error) {
    console.error(error instanceof BaseError ? `wg402-agent: ${error.message}` : error);
    process.exit(2);
  }
  // `registry status|unbond|withdraw|add-stake`: an operator command on the node's entry, then exit.
  if (process.argv[2] === "registry") {
    process.exitCode = await runRegistryCommand(process.argv.slice(3), config);
    return;
  }
  let operatorKey: Awaited<ReturnType<typeof loadOperatorKey>>;
  try {
    operatorKey = config.AGENT_REGISTRY === "on" ? await loadOperatorKey(config) : undefined;
  } catch (error) {
    console.error(`wg402-agent: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const logger = pino({ level: config.LOG_LEVEL, name: "agent" });
  const signing = await loadSigningKey(config);
  if (signing.created) logger.info({ path: config.AGENT_SIGNING_KEY_FILE }, "created the node's signing key");
  if (signing.tightenedFrom !== null) {
    logger.warn(
      { path: config.AGENT_SIGNING_KEY_FILE, mode: formatMode(signing.tightenedFrom) },
      "signing key file was readable by others; made it 0600",
    );
  }
  const device = await createDriver(config, logger);
  const agent = buildAgent({
    config,
    driver: device.driver,
    serverPublicKey: device.serverPublicKey,
    logger,
    signingKey: signing.privateKey,
    operatorKey,
  });
  device.onRecreated(() => {
    logger.warn("WireGuard device was recreated; re-applying every active peer");
    agent.leases.peers.deviceRecreated().catch((err: unknown) => logger.error({ err }, "re-applying peers failed"));
  });
  await agent.start();

  const server = agent.app.listen(config.AGENT_PORT, config.AGENT_HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.AGENT_HOST}:${port}`;
  logger.info({ url, device: device.describe }, "agent listening");
  // In the background: the chain being down never delays or stops serving.
  agent.registry?.start(url);
  process.send?.({ type: "listening", url, driver: device.describe, publicKey: device.serverPublicKey });

  onShutdownSignal({
    server,
    log: logger,
    close: async () => {
      await agent.close();
      await device.shutdown();
    },
  });
}

main().catch((error: unknown) => {
  console.error(`wg402-agent: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
