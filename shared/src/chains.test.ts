import { chainById, chainByNetwork, chains, explorerTxLink, rpcUrlFor } from "./chains.ts";

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
