// The facilitator process: parse config once, listen, reconcile on a slow tick, and on SIGINT/SIGTERM
// stop accepting, finish in-flight settlements and close the database.
import type { AddressInfo } from "node:net";
import { onShutdownSignal } from "@wg402/service-kit";
import { BaseError, ErrorCode } from "@wg402/shared";
import { pino } from "pino";
import { buildFacilitator } from "./buildFacilitator.ts";
import { loadFacilitatorConfig } from "./config.ts";
import { loadAuthorizerKey, loadSignerKey } from "./loadSignerKey.ts";

const RECONCILE_INTERVAL_MS = 15_000;

/** A configuration the facilitator refuses: one line per problem, exit 2. */
function refuse(error: unknown): never {
  console.error(error instanceof BaseError ? `wg402-facilitator: ${error.message}` : error);
  process.exit(2);
}

const isConfigError = (error: unknown) => error instanceof BaseError && error.code === ErrorCode.invalid_config;

async function main() {
  let config: ReturnType<typeof loadFacilitatorConfig>;
  try {
    config = loadFacilitatorConfig();
  } catch (error) {
    refuse(error);
  }
  const logger = pino({ level: config.LOG_LEVEL, name: "facilitator", redact: ["req.headers.authorization"] });
  const [signerKey, authorizerKey] = await Promise.all([loadSignerKey(config), loadAuthorizerKey(config)]);
  let facilitator: ReturnType<typeof buildFacilitator>;
  try {
    facilitator = buildFacilitator({ config, signerKey, authorizerKey, logger });
    // Where batch-settlement is offered, the escrow's contracts must be on the chain: refuse to start otherwise.
    await facilitator.checkChains();
  } catch (error) {
    if (isConfigError(error)) refuse(error);
    throw error;
  }
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
  logger.info(
    {
      url,
      signer: facilitator.signerAddress,
      receiverAuthorizer: facilitator.authorizerAddress,
      networks: facilitator.networks,
      schemes: facilitator.schemes,
    },
    "facilitator listening",
  );
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
