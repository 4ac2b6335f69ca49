import { readinessOf } from "@wg402/service-kit";
import { type ChainInfo, chains, rpcUrlFor } from "@wg402/shared";
import { x402Facilitator } from "@x402/core/facilitator";
import type { Network } from "@x402/core/types";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import type { Logger } from "pino";
import { createPublicClient, formatEther, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createApp } from "./app.ts";
import type { FacilitatorConfig } from "./config.ts";
import { createFacilitatorSigner } from "./facilitatorSigner.ts";
import { createFacilitatorMetrics } from "./metrics.ts";
import { createPaymentPolicy } from "./paymentPolicy.ts";
import { SettlementLedger } from "./settlementLedger.ts";
import { type NetworkBackend, SettlementService } from "./settlementService.ts";
import { TxSubmitter } from "./txSubmitter.ts";

export type BuildFacilitatorOptions = {
  config: FacilitatorConfig;
  signerKey: Hex;
  logger: Logger;
  env?: Record<string, string | undefined>;
};

/** Wires the facilitator from its config: one chain client, submitter and `exact` scheme per network. */
export function buildFacilitator({ config, signerKey, logger, env = process.env }: BuildFacilitatorOptions) {
  const account = privateKeyToAccount(signerKey);
  const metrics = createFacilitatorMetrics();
  const ledger = new SettlementLedger(config.FACILITATOR_DB_PATH);
  const facilitator = new x402Facilitator();
  const backends = new Map<string, NetworkBackend & { chain: ChainInfo }>();

  for (const key of config.FACILITATOR_NETWORKS) {
    const chain: ChainInfo = chains[key];
    const pollingIntervalMs = config.FACILITATOR_POLLING_INTERVAL_MS ?? chain.pollingIntervalMs;
    const publicClient = createPublicClient({
      chain: chain.viem,
      transport: http(rpcUrlFor(chain, env), { timeout: 10_000 }),
      pollingInterval: pollingIntervalMs,
    }) as PublicClient;
    const submitter = new TxSubmitter({ publicClient, account, chain: chain.viem });
    const signer = createFacilitatorSigner({
      publicClient,
      submitter,
      confirmationTimeoutMs: config.FACILITATOR_CONFIRMATION_TIMEOUT_MS,
      pollingIntervalMs,
    });
    facilitator.register(
      chain.network as Network,
      new ExactEvmScheme(signer, { pendingSettlementStore: ledger.pendingBroadcast }),
    );
    backends.set(chain.network, { network: chain.network, publicClient, submitter, chain });
  }

  const service = new SettlementService({
    facilitator,
    ledger,
    policy: createPaymentPolicy({
      networks: [...backends.keys()],
      allowedAssets: config.FACILITATOR_ALLOWED_ASSETS,
      allowedPayTo: config.FACILITATOR_ALLOWED_PAY_TO,
    }),
    backends,
    metrics,
    log: logger,
    confirmationTimeoutMs: config.FACILITATOR_CONFIRMATION_TIMEOUT_MS,
    logLookbackBlocks: config.FACILITATOR_LOG_LOOKBACK_BLOCKS,
  });

  // Per chain: the RPC answers with the right chain id, and the signer can pay for gas.
  const readiness = readinessOf(
    Object.fromEntries(
      [...backends.values()].map(({ chain, publicClient }) => [
        chain.network,
        async () => {
          const [chainId, balance] = await Promise.all([
            publicClient.getChainId(),
            publicClient.getBalance({ address: account.address }),
          ]);
          metrics.signerGasBalance.set({ network: chain.network, address: account.address }, Number(balance));
          const funded = balance >= config.FACILITATOR_MIN_GAS_WEI;
          return {
            ok: chainId === chain.id && funded,
            detail:
              chainId !== chain.id
                ? `RPC answers chain ${chainId}, expected ${chain.id}`
                : `signer ${account.address} holds ${formatEther(balance)} native${funded ? "" : `, below the floor of ${formatEther(config.FACILITATOR_MIN_GAS_WEI)}`}`,
          };
        },
      ]),
    ),
  );

  const app = createApp({
    service,
    facilitator,
    metrics,
    logger,
    apiKeys: config.FACILITATOR_API_KEYS,
    bodyLimitBytes: config.FACILITATOR_BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.FACILITATOR_RATE_LIMIT_PER_MINUTE,
    readiness,
  });

  return {
    app,
    service,
    ledger,
    metrics,
    signerAddress: account.address,
    networks: [...backends.keys()],
    /** Waits for in-flight settlements, then closes the ledger. */
    async close() {
      await service.drain();
      ledger.close();
    },
  };
}
export type Facilitator = ReturnType<typeof buildFacilitator>;
