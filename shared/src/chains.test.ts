import { canonicalEscrowAddresses, chainById, chainByNetwork, chains, explorerTxLink, rpcUrlFor } from "./chains.ts";

describe("chain registry", () => {
  it("keeps CAIP-2 ids in step with chain ids", () => {
    for (const chain of Object.values(chains)) {
      expect(chain.network).toBe(`eip155:${chain.id}`);
      expect(chain.viem.id).toBe(chain.id);
    }
  });

  it("finds chains by id and network", () => {
    expect(chainById(84532)?.key).toBe("base-sepolia");
    expect(chainByNetwork("eip155:8453")?.usdc?.address).toBe("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
    expect(chainById(1)).toBeUndefined();
  });

  it("lets the environment override the RPC URL", () => {
    expect(rpcUrlFor(chains.base, {})).toBe("https://mainnet.base.org");
    expect(rpcUrlFor(chains.base, { WG402_RPC_URL_BASE: "http://127.0.0.1:9545" })).toBe("http://127.0.0.1:9545");
  });

  it("links transactions only where an explorer exists", () => {
    expect(explorerTxLink(chains.base, "0xabc")).toBe("https://basescan.org/tx/0xabc");
    expect(explorerTxLink(chains.local, "0xabc")).toBeUndefined();
  });
});

describe("chain registry: low-gas chains and the batch-settlement escrow", () => {
  it("knows Arbitrum and Polygon, mainnet and testnet, with native USDC and its EIP-712 domain", () => {
    expect(chainByNetwork("eip155:42161")?.usdc).toMatchObject({
      address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
      eip712: { name: "USD Coin", version: "2" },
    });
    expect(chainByNetwork("eip155:421614")?.usdc?.address).toBe("0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d");
    expect(chainByNetwork("eip155:137")?.usdc).toMatchObject({
      address: "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
      eip712: { name: "USD Coin", version: "2" },
    });
    expect(chainByNetwork("eip155:80002")?.usdc).toMatchObject({
      address: "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582",
      eip712: { name: "USDC", version: "2" },
    });
    // The one that is easy to get wrong: Base mainnet's USDC is "USD Coin", Base Sepolia's is "USDC".
    expect(chains.base.usdc.eip712.name).toBe("USD Coin");
    expect(chains["base-sepolia"].usdc.eip712.name).toBe("USDC");
  });

  it("gives every public chain USDC with 6 decimals, an explorer and its own RPC override variable", () => {
    const envNames = new Set<string>();
    for (const chain of Object.values(chains)) {
      expect(chain.rpcUrlEnv).toMatch(/^WG402_RPC_URL_[A-Z_]+$/);
      expect(envNames.has(chain.rpcUrlEnv)).toBe(false);
      envNames.add(chain.rpcUrlEnv);
      expect(chain.defaultRpcUrl).toMatch(/^https?:\/\//);
      expect(chain.pollingIntervalMs).toBeGreaterThan(0);
      if (chain.key === "local") continue;
      expect(chain.usdc?.decimals).toBe(6);
      expect(chain.explorerTxUrl).toContain("{hash}");
    }
    expect(rpcUrlFor(chains.arbitrum, { WG402_RPC_URL_ARBITRUM: "http://127.0.0.1:1" })).toBe("http://127.0.0.1:1");
  });

  it("puts the escrow at the canonical CREATE2 addresses everywhere, deployed only where that is known", () => {
    for (const chain of Object.values(chains)) {
      expect(chain.escrow).toMatchObject(canonicalEscrowAddresses);
    }
    const deployed = Object.values(chains)
      .filter((chain) => chain.escrow.deployed)
      .map((chain) => chain.key)
      .sort();
    expect(deployed).toEqual(["base", "base-sepolia", "local"]);
    expect(chains.local.escrow.implementation).toBe("wg402");
    expect(chains.local.viem.contracts?.multicall3?.address).toBe(canonicalEscrowAddresses.multicall3);
    expect(chains.base.escrow.implementation).toBe("official");
    expect(canonicalEscrowAddresses).toEqual({
      batchSettlement: "0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003",
      depositCollector: "0x4020806089470a89826cB9fB1f4059150b550004",
      multicall3: "0xcA11bde05977b3631167028862bE2a173976CA11",
    });
  });
});
