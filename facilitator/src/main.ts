// The facilitator process: parse config once, listen, reconcile on a slow tick, and on SIGINT/SIGTERM
// stop accepting, finish in-flight settlements and close the database.
import type { AddressInfo } from "node:net";
import { onShutdownSignal } from "@wg402/service-kit";
import { BaseError } from "@wg402/shared";
import { pino } from "pino";
import { buildFacilitator } from "./buildFacilitator.ts";
import { loadFacilitatorConfig } from "./config.ts";
import { loadSignerKey } from "./loadSignerKey.ts";

const RECONCILE_INTERVAL_MS = 15_000;

async function main() {
  let config: ReturnType<typeof loadFacilitatorConfig>;
  try {
    config = loadFacilitatorConfig();
  } catch (error) {
    console.error(error instanceof BaseError ? `wg402-facilitator: ${error.message}` : error);
    process.exit(2);
  }
  const logger = pino({ level: config.LOG_LEVEL, name: "facilitator", redact: ["req.headers.authorization"] });
  const facilitator = buildFacilitator({ config, signerKey: await loadSignerKey(config), logger });
  await facilitator.service
    .reconcileUnfinished(0)
    .catch((err: unknown) => logger.warn({ err }, "start-up reconcile failed"));
  const reconcile = setInterval(() => {
    facilitator.service.reconcileUnfinished().catch((err: unknown) => logger.warn({ err }, "reconcile failed"));
  }, RECONCILE_INTERVAL_MS);

  const server = facilitator.app.listen(config.FACILITATOR_PORT, config.FACILITATOR_HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.FACILITATOR_HOST}:${port}`;
  logger.info({ url, signer: facilitator.signerAddress, networks: facilitator.networks }, "facilitator listening");
  process.send?.({ type: "listening", url });

  onShutdownSignal({
    server,
    log: logger,
    close: async () => {
      clearInterval(reconcile);
      await facilitator.close();
    },
  });
}

main().catch((error: unknown) => {
  console.error(`wg402-facilitator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
