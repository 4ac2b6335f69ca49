// The EIP-712 domain and digest views, and the Multicall3 stand-in.
// Against wg402's implementation at its canonical address with the project's EIP-3009 test token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimBatchTypes, voucherTypes } from "@x402/evm";
import { encodeFunctionData, getAddress, type Hex, hashTypedData } from "viem";
import { CHAIN_ID, escrowDomain, escrowFixture } from "../testing/escrowFixture.ts";

describe("views and the EIP-712 domain", () => {
  it("names the domain 'x402 Batch Settlement' v1 at this chain and address, computed at call time", async () => {
    const f = await escrowFixture();
    const [fields, name, version, chainId, verifyingContract, salt, extensions] = await f.escrow.read.eip712Domain();
    assert.deepEqual(
      [fields, name, version, Number(chainId), getAddress(verifyingContract), salt, extensions],
      ["0x0f", "x402 Batch Settlement", "1", CHAIN_ID, f.addresses.batchSettlement, `0x${"0".repeat(64)}`, []],
    );
    // The same code deployed elsewhere hashes channels under its own address: ids differ.
    const elsewhere = await f.viem.deployContract("X402BatchSettlement");
    const c = f.config();
    assert.notEqual(await elsewhere.read.getChannelId([c]), await f.escrow.read.getChannelId([c]));
    assert.equal(await f.escrow.read.getChannelId([c]), f.channelId(c));
  });

  it("gives the voucher digest the payer side signs", async () => {
    const f = await escrowFixture();
    const id = f.channelId(f.config());
    assert.equal(
      await f.escrow.read.getVoucherDigest([id, 123n]),
      hashTypedData({
        domain: escrowDomain(),
        types: voucherTypes,
        primaryType: "Voucher",
        message: { channelId: id, maxClaimableAmount: 123n },
      }),
    );
  });

  it("defines the claim batch digest of an empty batch", async () => {
    const f = await escrowFixture();
    assert.equal(
      await f.escrow.read.getClaimBatchDigest([[]]),
      hashTypedData({
        domain: escrowDomain(),
        types: claimBatchTypes,
        primaryType: "ClaimBatch",
        message: { claims: [] },
      }),
    );
  });
});

describe("LocalMulticall3", () => {
  it("reports failures as data in tryAggregate(false) and aggregate3, and reverts aggregate on one", async () => {
    const f = await escrowFixture();
    const good = {
      target: f.token.address,
      callData: encodeFunctionData({ abi: f.token.abi, functionName: "decimals" }),
    };
    const bad = { target: f.escrow.address, callData: "0xdeadbeef" as Hex };
    const { result: tried } = await f.multicall3.simulate.tryAggregate([false, [good, bad]]);
    assert.deepEqual(
      tried.map((r) => r.success),
      [true, false],
    );
    assert.equal(BigInt(tried[0]?.returnData ?? "0x"), 6n);
    const { result: three } = await f.multicall3.simulate.aggregate3([
      [
        { ...good, allowFailure: false },
        { ...bad, allowFailure: true },
      ],
    ]);
    assert.deepEqual(
      three.map((r) => r.success),
      [true, false],
    );
    await f.viem.assertions.revertWithCustomError(
      f.multicall3.simulate.aggregate([[good, bad]]),
      f.multicall3,
      "CallFailed",
    );
    await f.viem.assertions.revertWithCustomError(
      f.multicall3.simulate.tryAggregate([true, [good, bad]]),
      f.multicall3,
      "CallFailed",
    );
    const {
      result: [blockNumber, results],
    } = await f.multicall3.simulate.aggregate([[good]]);
    assert.equal(blockNumber, await f.publicClient.getBlockNumber());
    assert.equal(results.length, 1);
    assert.equal(await f.multicall3.read.getChainId(), BigInt(CHAIN_ID));
  });
});
