import { nodeRegistryAbi, type RegistryDeployment } from "@wg402/shared";
import {
  type Account,
  type Address,
  type Chain,
  getAddress,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { readArtifact } from "./artifacts.ts";

/** The local stack's registry terms: 10 tUSD to list a node, an hour of unbonding. */
export const localRegistryTerms = { minStake: 10_000_000n, unbondingDelaySeconds: 3_600n } as const;

export type DeployRegistryParameters = {
  wallet: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
  token: Address;
  minStake?: bigint;
  unbondingDelaySeconds?: bigint;
  /** Where slashed stake goes; zero burns it. */
  treasury?: Address;
  /** Holds the admin role; also made an arbiter when given. */
  arbiter?: Address;
};

/** Deploys NodeRegistry from the Hardhat build, with the deployer as admin; returns where, and the deployment's gas. */
export async function deployRegistry({
  wallet,
  publicClient,
  token,
  minStake = localRegistryTerms.minStake,
  unbondingDelaySeconds = localRegistryTerms.unbondingDelaySeconds,
  treasury = "0x0000000000000000000000000000000000000000",
  arbiter,
}: DeployRegistryParameters): Promise<{ registry: RegistryDeployment; gasUsed: bigint }> {
  const hash = await wallet.deployContract({
    abi: nodeRegistryAbi,
    bytecode: (await readArtifact("registry/NodeRegistry.sol")).bytecode,
    args: [token, minStake, unbondingDelaySeconds, treasury, wallet.account.address],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress)
    throw new Error(`NodeRegistry deployment failed in tx ${hash}`);
  const address = getAddress(receipt.contractAddress);
  if (arbiter) {
    const role = await publicClient.readContract({ address, abi: nodeRegistryAbi, functionName: "ARBITER_ROLE" });
    const grant = await wallet.writeContract({
      address,
      abi: nodeRegistryAbi,
      functionName: "grantRole",
      args: [role, arbiter],
    });
    await publicClient.waitForTransactionReceipt({ hash: grant });
  }
  const registry = {
    address,
    deployBlock: Number(receipt.blockNumber),
    minStake: minStake.toString(),
    unbondingDelaySeconds: Number(unbondingDelaySeconds),
  };
  return { registry, gasUsed: receipt.gasUsed };
}
