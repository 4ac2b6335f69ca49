import { type Env, paymentChainByKey } from "@wg402/client";
import { type ChainKey, localStackPath, readLocalStack } from "@wg402/shared";
import type { PublicClient } from "viem";
import type { TokenUnits } from "./amountView.ts";

/** A registry to list nodes from: where it is, a client for its chain, and the token its stake is in. */
export type RegistryTarget = { address: string; publicClient: PublicClient; stakeToken: TokenUnits };

export type RegistryChoice = { address?: string | undefined; chain: ChainKey };

/**
 * WG402_REGISTRY on its chain when set, else the local stack's registry, else none (null, not an error: the
 * app then lists its custom nodes only). The stake is taken to be in the chain's payment token, as the local
 * stack deploys it (its test token) and as public deployments are meant to be (USDC).
 */
export async function registryTarget(env: Env, choice: RegistryChoice): Promise<RegistryTarget | null> {
  if (choice.address) {
    const chain = await paymentChainByKey(choice.chain, env);
    return { address: choice.address, publicClient: chain.publicClient, stakeToken: chain.token };
  }
  let registry: string | undefined;
  try {
    registry = (await readLocalStack(localStackPath(env))).registry?.address;
  } catch {
    // No local stack running.
    return null;
  }
  if (!registry) return null;
  const chain = await paymentChainByKey("local", env);
  return { address: registry, publicClient: chain.publicClient, stakeToken: chain.token };
}
