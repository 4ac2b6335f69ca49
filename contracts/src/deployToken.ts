import { x402TestUSDAbi } from "@wg402/shared";
import {
  type Account,
  type Address,
  type Chain,
  getAddress,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { readArtifact } from "./artifacts.ts";

/** One drip of 100 tUSD a minute, up to 1,000 tUSD per address: enough to try the VPN, not to hoard. */
export const defaultFaucet = { amount: 100_000_000n, cooldownSeconds: 60n, cap: 1_000_000_000n } as const;

export type DeployTokenParameters = {
  wallet: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
  owner?: Address;
  faucet?: { amount: bigint; cooldownSeconds: bigint; cap: bigint };
};

export type DeployTokenReturnType = { address: Address; txHash: Hex; blockNumber: bigint };

/** Deploys X402TestUSD from the Hardhat build and waits for its receipt. */
export async function deployToken({
  wallet,
  publicClient,
  owner = wallet.account.address,
  faucet = defaultFaucet,
}: DeployTokenParameters): Promise<DeployTokenReturnType> {
  const txHash = await wallet.deployContract({
    abi: x402TestUSDAbi,
    bytecode: (await readArtifact("X402TestUSD.sol")).bytecode,
    args: [owner, faucet.amount, faucet.cooldownSeconds, faucet.cap],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`X402TestUSD deployment failed in tx ${txHash}`);
  }
  return { address: getAddress(receipt.contractAddress), txHash, blockNumber: receipt.blockNumber };
}
