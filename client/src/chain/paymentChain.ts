import {
  type ChainInfo,
  type ChainKey,
  chainByNetwork,
  chains,
  ErrorCode,
  type LocalStack,
  localStackPath,
  type PaymentKind,
  readLocalStack,
  rpcUrlFor,
} from "@wg402/shared";
import { createPublicClient, http, type PublicClient } from "viem";
import { ClientError } from "../errors.ts";
import type { TokenInfo } from "./money.ts";

export type Env = Record<string, string | undefined>;

/** A chain the wallet can pay on: its RPC, the one token we accept there, and a viem client for reads. */
export type PaymentChain = {
  chain: ChainInfo;
  rpcUrl: string;
  token: TokenInfo;
  publicClient: PublicClient;
  /** The local stack file, on the local chain only. */
  stack?: LocalStack;
};

/**
 * The chain and token for a node's payment kind. Only tokens we know are accepted: USDC on Base chains, the
 * stack's token on the local chain. A node asking for anything else is refused before any signature.
 */
export async function paymentChainFor(kind: Pick<PaymentKind, "network" | "asset">, env: Env): Promise<PaymentChain> {
  const chain = chainByNetwork(kind.network);
  if (!chain) {
    throw new ClientError(
      `the node wants payment on ${kind.network}, a network this client does not know (it pays on ${Object.values(
        chains,
      )
        .map((c) => c.network)
        .join(", ")})`,
      { code: ErrorCode.unsupported_network },
    );
  }
  const resolved = await paymentChainByKey(chain.key, env);
  if (resolved.token.address.toLowerCase() !== kind.asset.toLowerCase()) {
    throw new ClientError(
      `the node wants to be paid in ${kind.asset}, which is not ${resolved.token.symbol} (${resolved.token.address}), the token this client pays with on ${chain.name}`,
      { code: ErrorCode.unsupported_asset },
    );
  }
  return resolved;
}

/** The chain by its key (`local`, `base-sepolia`, `base`), for wallet commands that have no node. */
export async function paymentChainByKey(key: ChainKey, env: Env): Promise<PaymentChain> {
  const chain = chains[key] as ChainInfo;
  if (chain.key === "local") {
    const path = localStackPath(env);
    let stack: LocalStack;
    try {
      stack = await readLocalStack(path);
    } catch (error) {
      throw new ClientError(
        `no local stack at ${path}: start it with \`npm start\` (or point WG402_STACK_FILE at its local.json)`,
        { code: ErrorCode.local_stack_missing, cause: error },
      );
    }
    const rpcUrl = env[chain.rpcUrlEnv] || stack.chain.rpcUrl;
    return {
      chain,
      rpcUrl,
      token: {
        address: stack.token.address as `0x${string}`,
        symbol: stack.token.symbol,
        decimals: stack.token.decimals,
        eip712: stack.token.eip712,
      },
      publicClient: clientFor(chain, rpcUrl),
      stack,
    };
  }
  const usdc = chain.usdc;
  if (!usdc) throw new ClientError(`no token is known on ${chain.name}`, { code: ErrorCode.unsupported_asset });
  const rpcUrl = rpcUrlFor(chain, env);
  return { chain, rpcUrl, token: { ...usdc }, publicClient: clientFor(chain, rpcUrl) };
}

function clientFor(chain: ChainInfo, rpcUrl: string): PublicClient {
  return createPublicClient({
    chain: chain.viem,
    transport: http(rpcUrl, { timeout: 15_000, retryCount: 1 }),
    pollingInterval: chain.pollingIntervalMs,
  }) as PublicClient;
}

/** Checks the RPC answers with the right chain id: one clear sentence instead of a failed signature later. */
export async function assertChainReachable(paymentChain: PaymentChain): Promise<void> {
  let id: number;
  try {
    id = await paymentChain.publicClient.getChainId();
  } catch (error) {
    throw new ClientError(
      `cannot reach the ${paymentChain.chain.name} RPC at ${paymentChain.rpcUrl} (set ${paymentChain.chain.rpcUrlEnv} to use another)`,
      { code: ErrorCode.rpc_unreachable, cause: error },
    );
  }
  if (id !== paymentChain.chain.id) {
    throw new ClientError(
      `the RPC at ${paymentChain.rpcUrl} is chain ${id}, not ${paymentChain.chain.name} (${paymentChain.chain.id})`,
      { code: ErrorCode.chain_mismatch },
    );
  }
}
