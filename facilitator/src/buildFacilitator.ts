import { readinessOf } from "@wg402/service-kit";
import { BaseError, type ChainInfo, chains, ErrorCode, rpcUrlFor } from "@wg402/shared";
import { x402Facilitator } from "@x402/core/facilitator";
import type { Network } from "@x402/core/types";
import type { AuthorizerSigner } from "@x402/evm";
import { BatchSettlementEvmScheme } from "@x402/evm/batch-settlement/facilitator";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import type { Logger } from "pino";
import { createPublicClient, formatEther, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createApp } from "./app.ts";
import { assertEscrowOn } from "./batchChain.ts";
import type { FacilitatorConfig, FacilitatorScheme } from "./config.ts";
import { createFacilitatorSigner } from "./facilitatorSigner.ts";
import { createFacilitatorMetrics } from "./metrics.ts";
import { createPaymentPolicy } from "./paymentPolicy.ts";
import { SettlementLedger } from "./settlementLedger.ts";
import { type NetworkBackend, SettlementService } from "./settlementService.ts";
import { TxSubmitter } from "./txSubmitter.ts";

export type BuildFacilitatorOptions = {
  config: FacilitatorConfig;
  signerKey: Hex;
  /** The batch-settlement receiver authorizer's key (loadAuthorizerKey); without it none is offered. */
  authorizerKey?: Hex;
  logger: Logger;
  env?: Record<string, string | undefined>;
};

/**
 * The schemes offered on `chain`: those FACILITATOR_SCHEMES names, or by default `exact`, and `batch-settlement`
 * where the chain registry says the escrow is deployed.
 */
export function schemesFor(chain: ChainInfo, configured: FacilitatorScheme[] | undefined): FacilitatorScheme[] {
  if (configured) return configured;
  return chain.escrow.deployed ? ["exact", "batch-settlement"] : ["exact"];
}

/** The authorizer the SDK's scheme signs claim batches and refunds with, from a key of its own. */
function authorizerSignerOf(key: Hex): AuthorizerSigner {
  const account = privateKeyToAccount(key);
  return {
    address: account.address,
    signTypedData: (params) => account.signTypedData(params as Parameters<typeof account.signTypedData>[0]),
  };
}

/**
 * Wires the facilitator from its config: per network one chain client, one nonce-safe submitter and signer, and
 * the `exact` and `batch-settlement` schemes it offers there. `checkChains()` is the start-up check that needs the
 * chain (the escrow's code where batch-settlement is offered); `main.ts` runs it before listening.
 */
export function buildFacilitator({
  config,
  signerKey,
  authorizerKey,
  logger,
  env = process.env,
}: BuildFacilitatorOptions) {
  const account = privateKeyToAccount(signerKey);
  const authorizer = authorizerKey ? authorizerSignerOf(authorizerKey) : undefined;
  if (authorizer && authorizer.address.toLowerCase() === account.address.toLowerCase()) {
    throw new BaseError("invalid configuration", {
      code: ErrorCode.invalid_config,
      metaMessages: ["the receiver authorizer needs a key of its own, not the signer's"],
    });
  }
  const metrics = createFacilitatorMetrics();
  const ledger = new SettlementLedger(config.FACILITATOR_DB_PATH);
  const facilitator = new x402Facilitator();
  const backends = new Map<string, NetworkBackend & { chain: ChainInfo; schemes: FacilitatorScheme[] }>();

  for (const key of config.FACILITATOR_NETWORKS) {
    const chain: ChainInfo = chains[key];
    const pollingIntervalMs = config.FACILITATOR_POLLING_INTERVAL_MS ?? chain.pollingIntervalMs;
    const publicClient = createPublicClient({
      chain: chain.viem,
      transport: http(rpcUrlFor(chain, env), { timeout: 10_000 }),
      pollingInterval: pollingIntervalMs,
    }) as PublicClient;
    const submitter = new TxSubmitter({ publicClient, account, chain: chain.viem });
    // One signer per chain for every scheme: all writes share the submitter's nonce order.
    const signer = createFacilitatorSigner({
      publicClient,
      submitter,
      confirmationTimeoutMs: config.FACILITATOR_CONFIRMATION_TIMEOUT_MS,
      pollingIntervalMs,
    });
    const schemes = schemesFor(chain, config.FACILITATOR_SCHEMES);
    if (schemes.includes("exact")) {
      facilitator.register(
        chain.network as Network,
        new ExactEvmScheme(signer, { pendingSettlementStore: ledger.pendingBroadcast }),
      );
    }
    if (schemes.includes("batch-settlement")) {
      facilitator.register(
        chain.network as Network,
        new BatchSettlementEvmScheme(signer, authorizer, { pendingSettlementStore: ledger.pendingBroadcast }),
      );
    }
    backends.set(chain.network, { network: chain.network, publicClient, submitter, chain, schemes });
  }

  const service = new SettlementService({
    facilitator,
    ledger,
    policy: createPaymentPolicy({
      schemes: Object.fromEntries([...backends.values()].map((b) => [b.network, b.schemes])),
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
    /** The batch-settlement receiver authorizer offered in /supported, if any. */
    authorizerAddress: authorizer?.address,
    networks: [...backends.keys()],
    /** The schemes offered per network. */
    schemes: Object.fromEntries([...backends.values()].map((b) => [b.network, [...b.schemes]])),
    /**
     * Refuses to go on (an `invalid_config` error naming the network and the address) where batch-settlement is
     * offered but the escrow, its deposit collector or Multicall3 has no code.
     */
    async checkChains(): Promise<void> {
      for (const backend of backends.values()) {
        if (backend.schemes.includes("batch-settlement")) await assertEscrowOn(backend, backend.chain);
      }
    },
    /** Waits for in-flight settlements, then closes the ledger. */
    async close() {
      await service.drain();
      ledger.close();
    },
  };
}
export type Facilitator = ReturnType<typeof buildFacilitator>;
