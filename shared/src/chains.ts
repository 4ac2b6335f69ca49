import { type Address, type Chain, defineChain } from "viem";
import { arbitrum, arbitrumSepolia, base, baseSepolia, polygon, polygonAmoy } from "viem/chains";
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

/**
 * Where x402's `batch-settlement` escrow lives. The official contracts sit at the same CREATE2 address on every
 * chain they are deployed to, and `@x402/evm` hard-codes those addresses
 * (https://github.com/x402-foundation/x402/blob/main/specs/schemes/batch-settlement/scheme_batch_settlement_evm.md,
 * "Reference Implementation"), so only whether they are there differs per chain.
 */
export const canonicalEscrowAddresses = {
  /** `x402BatchSettlement` */
  batchSettlement: "0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003",
  /** `ERC3009DepositCollector`: the deposit collector for EIP-3009 tokens (USDC) */
  depositCollector: "0x4020806089470a89826cB9fB1f4059150b550004",
  /** Multicall3, through which the SDK's batch-settlement facilitator reads channel state (https://www.multicall3.com) */
  multicall3: "0xcA11bde05977b3631167028862bE2a173976CA11",
} as const satisfies Record<string, Address>;

export type EscrowInfo = {
  batchSettlement: Address;
  depositCollector: Address;
  multicall3: Address;
  /**
   * True where the escrow's code is known to be at those addresses: an official deployment that x402's docs name,
   * or wg402's own implementation that the local stack places there. False means "not known to be there": a
   * service must not offer `batch-settlement` on that chain unless `eth_getCode` finds the contracts.
   */
  deployed: boolean;
  /** `official`: x402's audited contracts. `wg402`: wg402's own implementation (contracts/contracts/escrow/). */
  implementation: "official" | "wg402";
};

const officialEscrow = (deployed: boolean): EscrowInfo => ({
  ...canonicalEscrowAddresses,
  deployed,
  implementation: "official",
});

export type ChainInfo = {
  key: "local" | "base-sepolia" | "base" | "arbitrum-sepolia" | "arbitrum" | "polygon-amoy" | "polygon";
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
  /** The `batch-settlement` escrow on this chain. */
  escrow: EscrowInfo;
  /** True where tokens have no value: faucets and printed private keys are allowed. */
  testOnly: boolean;
  viem: Chain;
};

export const localChain = defineChain({
  id: 31337,
  name: "wg402 local (hardhat node)",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
  // The local stack always places a Multicall3 stand-in here (contracts/src/deployLocalStack.ts), so viem's
  // multicall works without naming the address.
  contracts: { multicall3: { address: "0xcA11bde05977b3631167028862bE2a173976CA11" } },
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
    // wg402's own implementation, placed at the canonical addresses by contracts/src/deployLocalStack.ts.
    escrow: { ...canonicalEscrowAddresses, deployed: true, implementation: "wg402" },
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
    // The official deployment, used unchanged (wg402 issue 13; the SDK's constants and the spec's address table).
    escrow: officialEscrow(true),
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
    // The official deployment, used unchanged (wg402 issue 13; the SDK's constants and the spec's address table).
    escrow: officialEscrow(true),
    testOnly: false,
    viem: base,
  },
  // Low-gas chains. Every fact below is recorded from its source and cannot be checked offline: before using a
  // chain, read USDC's name() and version() and eth_getCode at the escrow addresses from the chain itself.
  "arbitrum-sepolia": {
    key: "arbitrum-sepolia",
    id: 421614, // https://chainlist.org/chain/421614
    network: "eip155:421614",
    name: "Arbitrum Sepolia",
    defaultRpcUrl: "https://sepolia-rollup.arbitrum.io/rpc", // https://docs.arbitrum.io/build-decentralized-apps/reference/node-providers
    rpcUrlEnv: "WG402_RPC_URL_ARBITRUM_SEPOLIA",
    pollingIntervalMs: 500, // ~250 ms blocks
    usdc: {
      // https://developers.circle.com/stablecoins/usdc-contract-addresses (testnet)
      address: "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d",
      symbol: "USDC",
      decimals: 6,
      // @x402/evm 2.27 DEFAULT_ASSETS["eip155:421614"] (src/defaultAssets.ts). Circle's testnet tokens elsewhere are
      // named "USDC" (Base Sepolia, Amoy), and older x402 tables said "USDC" here too: read name() before use.
      eip712: { name: "USD Coin", version: "2" },
    },
    explorerTxUrl: "https://sepolia.arbiscan.io/tx/{hash}",
    // No official x402 document lists a batch-settlement deployment here (spec: "deployed ... across all
    // supported EVM chains", without a list).
    escrow: officialEscrow(false),
    testOnly: true,
    viem: arbitrumSepolia,
  },
  arbitrum: {
    key: "arbitrum",
    id: 42161, // https://chainlist.org/chain/42161
    network: "eip155:42161",
    name: "Arbitrum One",
    defaultRpcUrl: "https://arb1.arbitrum.io/rpc", // https://docs.arbitrum.io/build-decentralized-apps/reference/node-providers
    rpcUrlEnv: "WG402_RPC_URL_ARBITRUM",
    pollingIntervalMs: 500, // ~250 ms blocks
    usdc: {
      // Native USDC, not the bridged USDC.e: https://developers.circle.com/stablecoins/usdc-contract-addresses
      address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
      symbol: "USDC",
      decimals: 6,
      // @x402/evm 2.27 DEFAULT_ASSETS["eip155:42161"] (src/defaultAssets.ts)
      eip712: { name: "USD Coin", version: "2" },
    },
    explorerTxUrl: "https://arbiscan.io/tx/{hash}",
    // The spec names no chain list ("deployed ... across all supported EVM chains"). Coinbase's CDP facilitator says
    // it runs batch-settlement on its EVM networks, which include this one
    // (https://docs.cdp.coinbase.com/x402/seller/facilitator, https://docs.cdp.coinbase.com/x402/network-support),
    // but no document states the contracts' deployment here: false until eth_getCode confirms it.
    escrow: officialEscrow(false),
    testOnly: false,
    viem: arbitrum,
  },
  "polygon-amoy": {
    key: "polygon-amoy",
    id: 80002, // https://docs.polygon.technology/pos/reference/rpc-endpoints/
    network: "eip155:80002",
    name: "Polygon Amoy",
    defaultRpcUrl: "https://rpc-amoy.polygon.technology", // https://docs.polygon.technology/pos/reference/rpc-endpoints/
    rpcUrlEnv: "WG402_RPC_URL_POLYGON_AMOY",
    pollingIntervalMs: 1_000, // ~2 s blocks
    usdc: {
      // https://developers.circle.com/stablecoins/usdc-contract-addresses (testnet)
      address: "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582",
      symbol: "USDC",
      decimals: 6,
      // Not in @x402/evm's DEFAULT_ASSETS. Circle's testnet FiatToken naming ("USDC", as on Base Sepolia); unverified
      // offline: read name() and version() before use.
      eip712: { name: "USDC", version: "2" },
    },
    explorerTxUrl: "https://amoy.polygonscan.com/tx/{hash}",
    escrow: officialEscrow(false), // no official x402 document lists a deployment here
    testOnly: true,
    viem: polygonAmoy,
  },
  polygon: {
    key: "polygon",
    id: 137, // https://docs.polygon.technology/pos/reference/rpc-endpoints/
    network: "eip155:137",
    name: "Polygon PoS",
    defaultRpcUrl: "https://polygon-rpc.com", // https://docs.polygon.technology/pos/reference/rpc-endpoints/
    rpcUrlEnv: "WG402_RPC_URL_POLYGON",
    pollingIntervalMs: 1_000, // ~2 s blocks
    usdc: {
      // Native USDC, not the bridged USDC.e (0x2791…4174): https://developers.circle.com/stablecoins/usdc-contract-addresses
      address: "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
      symbol: "USDC",
      decimals: 6,
      // @x402/evm 2.27 DEFAULT_ASSETS["eip155:137"] (src/defaultAssets.ts)
      eip712: { name: "USD Coin", version: "2" },
    },
    explorerTxUrl: "https://polygonscan.com/tx/{hash}",
    // As on Arbitrum One: CDP's facilitator docs imply batch-settlement here, no document states the deployment.
    escrow: officialEscrow(false),
    testOnly: false,
    viem: polygon,
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
