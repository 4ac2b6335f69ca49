// The registrar as the agent's config asks for it (AGENT_REGISTRY=on), and the entry the node should have.
import {
  BaseError,
  type ChainInfo,
  chains,
  ErrorCode,
  type RegistryNodeInfo,
  rpcUrlFor,
  wireguardKeyToBytes32,
} from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { Logger } from "pino";
import type { Address, Hex } from "viem";
import type { AgentConfig } from "../config.ts";
import { Registrar } from "./registrar.ts";
import { createRegistryChain, type RegistryChain } from "./registryChain.ts";

/** What the entry should state: the node as its config and keys make it. `listenUrl` is where it listens. */
export function desiredRegistryInfo(
  config: AgentConfig,
  node: { wireguardKey: string; signer: Address; listenUrl: string },
): RegistryNodeInfo {
  return {
    wireguardKey: node.wireguardKey,
    payTo: config.AGENT_PAY_TO,
    signer: node.signer,
    pricePerMinute: config.AGENT_PRICE_PER_MINUTE.toString(),
    pricePerMb: (config.AGENT_PRICE_PER_MB ?? 0n).toString(),
    // `exact` is always offered; channels only when on (the same rule as the node's 402 answer).
    schemes: config.AGENT_CHANNEL === "on" ? ["exact", "batch-settlement"] : ["exact"],
    country: config.AGENT_COUNTRY as string,
    url: config.AGENT_PUBLIC_URL ?? node.listenUrl,
    // The contract caps a label at 64 bytes: a longer region is cut there, never refused.
    label: truncateUtf8(config.AGENT_REGION, 64),
  };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const chars = [...text];
  while (Buffer.byteLength(chars.join("")) > maxBytes) chars.pop();
  return chars.join("");
}

/** The chain seam for the config's registry and operator key. */
export function registryChainFor(config: AgentConfig, operatorKey: Hex): RegistryChain {
  const chain: ChainInfo = chains[config.AGENT_NETWORK];
  return createRegistryChain({
    chain,
    rpcUrl: config.AGENT_RPC_URL ?? rpcUrlFor(chain),
    address: config.AGENT_REGISTRY_ADDRESS as Address,
    operatorKey,
  });
}

export type BuildRegistrarOptions = {
  config: AgentConfig;
  wireguardKey: string;
  signer: Address | undefined;
  operatorKey: Hex | undefined;
  clock: Clock;
  logger: Logger;
  chain?: RegistryChain;
  refreshMs?: number;
};

/** The node's registrar when AGENT_REGISTRY=on (else undefined); `start(listenUrl)` begins its passes. */
export function buildRegistrar(options: BuildRegistrarOptions) {
  const { config } = options;
  if (config.AGENT_REGISTRY !== "on") return undefined;
  if (!options.signer) {
    throw new BaseError("AGENT_REGISTRY=on needs the node's signing key (the entry names it)", {
      code: ErrorCode.invalid_config,
    });
  }
  const signer = options.signer;
  const chain =
    options.chain ??
    (() => {
      if (!options.operatorKey) {
        throw new BaseError("AGENT_REGISTRY=on needs the operator key (AGENT_OPERATOR_PRIVATE_KEY or a keystore)", {
          code: ErrorCode.invalid_config,
        });
      }
      return registryChainFor(config, options.operatorKey);
    })();
  const registrar = new Registrar({
    chain,
    id: wireguardKeyToBytes32(options.wireguardKey),
    stake: config.AGENT_REGISTRY_STAKE,
    clock: options.clock,
    log: options.logger,
    refreshMs: options.refreshMs,
  });
  return {
    registrar,
    view: () => registrar.view(),
    /** Begins keeping the entry, in the background; `listenUrl` is where the lease API listens. */
    start: (listenUrl: string) =>
      registrar.start(desiredRegistryInfo(config, { wireguardKey: options.wireguardKey, signer, listenUrl })),
    close: () => registrar.close(),
  };
}
export type NodeRegistration = NonNullable<ReturnType<typeof buildRegistrar>>;
