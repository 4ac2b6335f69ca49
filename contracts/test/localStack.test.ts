// What `npm start` and the services' tests stand on: a hardhat node whose local stack carries the batch-settlement
// escrow, its deposit collector and Multicall3 at the addresses the SDK hard-codes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  canonicalEscrowAddresses,
  chains,
  LocalStack,
  nodeRegistryAbi,
  x402BatchSettlementAbi,
  x402TestUSDAbi,
} from "@wg402/shared";
import { createPublicClient, getAddress, http } from "viem";
import { type LocalChain, startLocalChain } from "../src/index.ts";

describe("local stack", () => {
  let chain: LocalChain;
  before(async () => {
    chain = await startLocalChain();
  });
  after(async () => {
    await chain?.stop();
  });

  it("records the escrow at its canonical addresses, and the stack file schema keeps it", () => {
    assert.deepEqual(chain.stack.escrow, {
      batchSettlement: getAddress(canonicalEscrowAddresses.batchSettlement),
      depositCollector: getAddress(canonicalEscrowAddresses.depositCollector),
      multicall3: getAddress(canonicalEscrowAddresses.multicall3),
    });
    assert.deepEqual(LocalStack.parse(JSON.parse(JSON.stringify(chain.stack))).escrow, chain.stack.escrow);
  });

  it("has code at all three, and answers through Multicall3 (viem's aggregate3)", async () => {
    const publicClient = createPublicClient({ chain: chains.local.viem, transport: http(chain.rpcUrl) });
    for (const address of Object.values(canonicalEscrowAddresses)) {
      const code = await publicClient.getCode({ address });
      assert(code && code.length > 2, `no code at ${address}`);
    }
    // The local chain's viem definition names Multicall3, so no address is passed.
    const [decimals, channel] = await publicClient.multicall({
      allowFailure: false,
      contracts: [
        { address: chain.stack.token.address as `0x${string}`, abi: x402TestUSDAbi, functionName: "decimals" },
        {
          address: canonicalEscrowAddresses.batchSettlement,
          abi: x402BatchSettlementAbi,
          functionName: "channels",
          args: [`0x${"11".repeat(32)}`],
        },
      ],
    });
    assert.equal(decimals, 6);
    assert.deepEqual(channel, [0n, 0n]);
  });

  it("deploys the NodeRegistry over the token, with the deployer as arbiter and a funded registrant", async () => {
    const publicClient = createPublicClient({ chain: chains.local.viem, transport: http(chain.rpcUrl) });
    const registry = chain.stack.registry;
    assert(registry, "the stack names no registry");
    const address = registry.address as `0x${string}`;
    const read = <F extends "stakeToken" | "minStake" | "unbondingDelay" | "ARBITER_ROLE" | "nodeCount">(
      functionName: F,
    ) => publicClient.readContract({ address, abi: nodeRegistryAbi, functionName });
    assert.equal(getAddress(await read("stakeToken")), getAddress(chain.stack.token.address));
    assert.equal((await read("minStake")).toString(), registry.minStake);
    assert.equal(Number(await read("unbondingDelay")), registry.unbondingDelaySeconds);
    assert.equal(await read("nodeCount"), 0n);
    const arbiter = await publicClient.readContract({
      address,
      abi: nodeRegistryAbi,
      functionName: "hasRole",
      args: [await read("ARBITER_ROLE"), chain.stack.accounts.deployer.address as `0x${string}`],
    });
    assert.equal(arbiter, true);
    const registrant = chain.stack.accounts.registrant;
    assert(registrant, "the stack names no registrant");
    const funds = await publicClient.readContract({
      address: chain.stack.token.address as `0x${string}`,
      abi: x402TestUSDAbi,
      functionName: "balanceOf",
      args: [registrant.address as `0x${string}`],
    });
    assert(funds >= 10n * BigInt(registry.minStake), `the registrant holds ${funds}`);
    const block = await publicClient.getBlockNumber();
    assert(registry.deployBlock > 0 && registry.deployBlock <= Number(block));
  });
});
