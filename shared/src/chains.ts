import { type Address, type Chain, defineChain } from "viem";
import { base, baseSepolia } from "viem/chains";
import { z } from "zod";

/** A CAIP-2 id for an EVM chain, the network name that x402 v2 uses. */
export const Caip2Network = z.templateLiteral(["eip155:", z.number().int().positive()]);
export type Caip2Network = z.infer<typeof Caip2Network>;

/** An ERC-20 with EIP-3009 that x402 `exact` can move, plus its EIP-712 domain (what payers sign). */
export type StablecoinInfo = {
  address: Address;
  symbol: string;
  decimals: number;
  eip712: { name: string; version: string };
};

export type ChainInfo = {
  key: "local" | "base-sepolia" | "base";
  id: number;
  network: Caip2Network;
  name: string;
  /** Public default; overridden by the env variable named in `rpcUrlEnv`. */
  defaultRpcUrl: string;
  rpcUrlEnv: string;
  /** Receipt polling that fits the chain's block time (viem's 4 s default adds seconds on a local chain). */
  pollingIntervalMs: number;
  /** Token on public chains (USDC); on the local chain it is deployed at start-up and read from the stack file. */
  usdc?: StablecoinInfo;
  explorerTxUrl?: string;
  /** True where tokens have no value: faucets and printed private keys are allowed. */
  testOnly: boolean;
  viem: Chain;
};

export const localChain = defineChain({
  id: 31337,
  name: "wg402 local (hardhat node)",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
  testnet: true,
});

export const chains = {
  local: {
    key: "local",
    id: 31337,
    network: "eip155:31337",
    name: "Local (hardhat node)",
    defaultRpcUrl: "http://127.0.0.1:8545",
    rpcUrlEnv: "WG402_RPC_URL_LOCAL",
    pollingIntervalMs: 50,
    testOnly: true,
    viem: localChain,
  },
  "base-sepolia": {
    key: "base-sepolia",
    id: 84532,
    network: "eip155:84532",
    name: "Base Sepolia",
    defaultRpcUrl: "https://sepolia.base.org",
    rpcUrlEnv: "WG402_RPC_URL_BASE_SEPOLIA",
    pollingIntervalMs: 1_000,
    usdc: {
      address: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
      symbol: "USDC",
      decimals: 6,
      eip712: { name: "USDC", version: "2" },
    },
    explorerTxUrl: "https://sepolia.basescan.org/tx/{hash}",
    testOnly: true,
    viem: baseSepolia,
  },
  base: {
    key: "base",
    id: 8453,
    network: "eip155:8453",
    name: "Base",
    defaultRpcUrl: "https://mainnet.base.org",
    rpcUrlEnv: "WG402_RPC_URL_BASE",
    pollingIntervalMs: 1_000,
    usdc: {
      address: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
      symbol: "USDC",
      decimals: 6,
      eip712: { name: "USD Coin", version: "2" },
    },
    explorerTxUrl: "https://basescan.org/tx/{hash}",
    testOnly: false,
    viem: base,
  },
} as const satisfies Record<ChainInfo["key"], ChainInfo>;

export type ChainKey = keyof typeof chains;
export const ChainKey = z.enum(Object.keys(chains) as [ChainKey, ...ChainKey[]]);

export function chainById(id: number): ChainInfo | undefined {
  return Object.values(chains).find((chain) => chain.id === id);
}

export function chainByNetwork(network: string): ChainInfo | undefined {
  return Object.values(chains).find((chain) => chain.network === network);
}

/** The RPC URL for `chain`: its env override when set, else the public default. */
export function rpcUrlFor(chain: ChainInfo, env: Record<string, string | undefined> = process.env): string {
  return env[chain.rpcUrlEnv] || chain.defaultRpcUrl;
}

export function explorerTxLink(chain: ChainInfo, hash: string): string | undefined {
  return chain.explorerTxUrl?.replace("{hash}", hash);
}
