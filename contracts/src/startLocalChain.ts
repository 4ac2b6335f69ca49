import type { LocalStack } from "@wg402/shared";
import { deployLocalStack } from "./deployLocalStack.ts";
import { type HardhatNode, startHardhatNode } from "./hardhatNode.ts";

export type LocalChain = { node: HardhatNode; stack: LocalStack; rpcUrl: string; stop: () => Promise<void> };

/** A fresh hardhat node on a free loopback port with the token deployed: what tests and benches stand on. */
export async function startLocalChain(): Promise<LocalChain> {
  const node = await startHardhatNode();
  try {
    const stack = await deployLocalStack({ rpcUrl: node.rpcUrl });
    return { node, stack, rpcUrl: node.rpcUrl, stop: node.stop };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
