import { chains, type LocalStack, x402TestUSDAbi } from "@wg402/shared";
import { createPublicClient, createTestClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployRegistry } from "./deployRegistry.ts";
import { deployToken } from "./deployToken.ts";
import { devAccounts } from "./devAccounts.ts";
import { installEscrow } from "./escrow.ts";

/** 1,000 tUSD for the demo wallet. */
export const DEFAULT_DEMO_FUNDS = 1_000_000_000n;
/** 1,000 tUSD for the registrant: stake for the local nodes' registry entries. */
export const DEFAULT_REGISTRANT_FUNDS = 1_000_000_000n;

export type DeployLocalStackParameters = {
  rpcUrl: string;
  /** Tokens (base units) minted to the demo wallet. */
  demoFunds?: bigint;
};

/**
 * Deploys the test token on a fresh local chain, funds the demo wallet, and places the `batch-settlement` escrow,
 * its ERC-3009 deposit collector and Multicall3 at their canonical addresses, and deploys the NodeRegistry. Returns the stack description
 * that `npm start` writes to `.wg402/local.json` and that tests write to a temporary file of their own.
 */
export async function deployLocalStack({
  rpcUrl,
  demoFunds = DEFAULT_DEMO_FUNDS,
}: DeployLocalStackParameters): Promise<LocalStack> {
  const accounts = devAccounts();
  const chain = chains.local;
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain: chain.viem, transport, pollingInterval: chain.pollingIntervalMs });
  const wallet = createWalletClient({
    chain: chain.viem,
    transport,
    account: privateKeyToAccount(accounts.deployer.privateKey),
  });

  const testClient = createTestClient({ mode: "hardhat", chain: chain.viem, transport });
  const escrow = await installEscrow({
    client: {
      setCode: (args) => testClient.setCode(args),
      getCode: (args) => publicClient.getCode(args),
    },
  });
  const token = await deployToken({ wallet, publicClient });
  const mint = async (to: `0x${string}`, amount: bigint) => {
    const hash = await wallet.writeContract({
      address: token.address,
      abi: x402TestUSDAbi,
      functionName: "mint",
      args: [to, amount],
    });
    await publicClient.waitForTransactionReceipt({ hash });
  };
  await mint(accounts.demo.address, demoFunds);
  await mint(accounts.registrant.address, DEFAULT_REGISTRANT_FUNDS);
  // The deployer arbitrates on the local chain: a known key, so slashing can be tried.
  const { registry } = await deployRegistry({
    wallet,
    publicClient,
    token: token.address,
    arbiter: accounts.deployer.address,
  });
  const [symbol, decimals, version, name] = await Promise.all([
    publicClient.readContract({ address: token.address, abi: x402TestUSDAbi, functionName: "symbol" }),
    publicClient.readContract({ address: token.address, abi: x402TestUSDAbi, functionName: "decimals" }),
    publicClient.readContract({ address: token.address, abi: x402TestUSDAbi, functionName: "version" }),
    publicClient.readContract({ address: token.address, abi: x402TestUSDAbi, functionName: "name" }),
  ]);

  return {
    version: 1,
    startedAt: new Date().toISOString(),
    chain: { id: chain.id, network: chain.network, rpcUrl },
    token: {
      address: token.address,
      symbol,
      decimals,
      eip712: { name, version },
      deployBlock: Number(token.blockNumber),
    },
    accounts,
    services: { chain: rpcUrl },
    escrow,
    registry,
  };
}
