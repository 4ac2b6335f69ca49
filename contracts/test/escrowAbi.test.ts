// wg402's escrow must present exactly the on-chain interface that the official SDK (@x402/evm) calls and decodes:
// each item of the SDK's own `batchSettlementABI` is compared with the compiled ABI, field by field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalEscrowAddresses } from "@wg402/shared";
import {
  BATCH_SETTLEMENT_ADDRESS,
  BATCH_SETTLEMENT_DOMAIN,
  claimBatchTypes,
  ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
  refundTypes,
  voucherTypes,
} from "@x402/evm";
import { artifacts } from "hardhat";
import {
  type Abi,
  type AbiParameter,
  encodeAbiParameters,
  keccak256,
  multicall3Abi,
  toEventSelector,
  toFunctionSelector,
  toHex,
} from "viem";
import { escrowFixture } from "../testing/escrowFixture.ts";
import { sdkInternal } from "../testing/sdkInternals.ts";

type AbiItem = Abi[number];

/** An ABI parameter without `internalType` (which names Solidity types, not the wire format). */
function wire(parameter: AbiParameter): unknown {
  const { name, type } = parameter;
  const components = "components" in parameter ? parameter.components?.map(wire) : undefined;
  const indexed = "indexed" in parameter ? parameter.indexed : undefined;
  return { name, type, ...(components ? { components } : {}), ...(indexed !== undefined ? { indexed } : {}) };
}

function wireItem(item: AbiItem): unknown {
  switch (item.type) {
    case "function":
      return {
        type: item.type,
        name: item.name,
        inputs: item.inputs.map(wire),
        outputs: item.outputs.map(wire),
        stateMutability: item.stateMutability,
      };
    case "event":
      return { type: item.type, name: item.name, inputs: item.inputs.map(wire), anonymous: item.anonymous ?? false };
    case "error":
      return { type: item.type, name: item.name, inputs: item.inputs.map(wire) };
    default:
      return item;
  }
}

function selectorOf(item: AbiItem): string {
  if (item.type === "function") return toFunctionSelector(item);
  if (item.type === "event") return toEventSelector(item);
  if (item.type === "error")
    return toFunctionSelector({ ...item, type: "function", outputs: [], stateMutability: "view" });
  throw new Error(`no selector for ${item.type}`);
}

/** Checks every item of `expected` against the item of `actual` with the same selector, field by field. */
function assertAbiCovers(actual: Abi, expected: Abi, label: string, { ignoreMutability = false } = {}) {
  for (const item of expected) {
    if (item.type !== "function" && item.type !== "event" && item.type !== "error") continue;
    const selector = selectorOf(item);
    const mine = actual.find((candidate) => candidate.type === item.type && selectorOf(candidate) === selector);
    assert(mine, `${label}: no ${item.type} ${"name" in item ? item.name : ""} (${selector})`);
    const strip = (value: unknown) =>
      ignoreMutability ? { ...(value as object), stateMutability: undefined } : (value as object);
    assert.deepEqual(
      strip(wireItem(mine)),
      strip(wireItem(item)),
      `${label}: ${item.type} ${"name" in item ? item.name : ""} differs`,
    );
  }
}

describe("ABI compatibility with @x402/evm", () => {
  it("matches every function, event and struct layout of the SDK's batchSettlementABI", async () => {
    const sdkAbi = await sdkInternal<Abi>("batchSettlementABI");
    const { abi } = await artifacts.readArtifact("X402BatchSettlement");
    // The SDK's ABI lists the calls it makes and the one event it decodes; none may be missing or differ.
    assert(sdkAbi.length >= 19, `the SDK's ABI has ${sdkAbi.length} items`);
    assertAbiCovers(abi as Abi, sdkAbi, "X402BatchSettlement");
    const sdkFunctions = sdkAbi
      .filter((item) => item.type === "function")
      .map((item) => (item as { name: string }).name);
    assert.deepEqual(sdkFunctions.sort(), [
      "CHANNEL_CONFIG_TYPEHASH",
      "channels",
      "claim",
      "claimWithSignature",
      "deposit",
      "finalizeWithdraw",
      "getChannelId",
      "getClaimBatchDigest",
      "getRefundDigest",
      "getVoucherDigest",
      "initiateWithdraw",
      "multicall",
      "pendingWithdrawals",
      "receivers",
      "refund",
      "refundNonce",
      "refundWithSignature",
      "settle",
    ]);
  });

  it("emits the audited contract's lifecycle events with their exact signatures (what indexers decode)", async () => {
    const { abi } = await artifacts.readArtifact("X402BatchSettlement");
    const config = "(address,address,address,address,address,uint40,bytes32)";
    const expected = [
      `ChannelCreated(bytes32,${config})`,
      `ChannelClosed(bytes32,${config})`,
      "Deposited(bytes32,address,uint128,uint128)",
      "Claimed(bytes32,address,uint128,uint128)",
      "Settled(address,address,address,uint128)",
      "Refunded(bytes32,address,uint128)",
      "WithdrawInitiated(bytes32,uint128,uint40)",
      "WithdrawFinalized(bytes32,address,uint128)",
    ].map((signature) => keccak256(toHex(signature)));
    const mine = (abi as Abi).filter((item) => item.type === "event").map(selectorOf);
    for (const topic of expected) assert(mine.includes(topic), `missing event ${topic}`);
  });

  it("uses the SDK's EIP-712 domain and type hashes, and its withdraw-delay bounds", async () => {
    const f = await escrowFixture();
    const typeHash = (types: Record<string, readonly { name: string; type: string }[]>, primary: string) => {
      const encode = (name: string) =>
        `${name}(${(types[name] ?? []).map((field) => `${field.type} ${field.name}`).join(",")})`;
      const referenced = Object.keys(types)
        .filter((name) => name !== primary)
        .sort();
      return keccak256(toHex([primary, ...referenced].map(encode).join("")));
    };
    // The SDK hashes the channel config with this exact type string (its CHANNEL_CONFIG_TYPEHASH, not exported).
    assert.equal(
      await f.escrow.read.CHANNEL_CONFIG_TYPEHASH(),
      keccak256(
        toHex(
          "ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)",
        ),
      ),
    );
    assert.equal(await f.escrow.read.VOUCHER_TYPEHASH(), typeHash(voucherTypes, "Voucher"));
    assert.equal(await f.escrow.read.REFUND_TYPEHASH(), typeHash(refundTypes, "Refund"));
    assert.equal(await f.escrow.read.CLAIM_BATCH_TYPEHASH(), typeHash(claimBatchTypes, "ClaimBatch"));
    assert.equal(
      await f.escrow.read.CLAIM_ENTRY_TYPEHASH(),
      typeHash({ ClaimEntry: claimBatchTypes.ClaimEntry }, "ClaimEntry"),
    );
    const [, name, version] = await f.escrow.read.eip712Domain();
    assert.deepEqual({ name, version }, BATCH_SETTLEMENT_DOMAIN);
    assert.equal(await f.escrow.read.MIN_WITHDRAW_DELAY(), await sdkInternal<number>("MIN_WITHDRAW_DELAY"));
    assert.equal(await f.escrow.read.MAX_WITHDRAW_DELAY(), await sdkInternal<number>("MAX_WITHDRAW_DELAY"));
  });

  it("sits where the SDK looks: its hard-coded addresses are the registry's canonical ones", () => {
    assert.equal(canonicalEscrowAddresses.batchSettlement, BATCH_SETTLEMENT_ADDRESS);
    assert.equal(canonicalEscrowAddresses.depositCollector, ERC3009_DEPOSIT_COLLECTOR_ADDRESS);
  });

  it("has the collector the escrow calls (collect) and the SDK's collector-data and nonce encoding", async () => {
    const f = await escrowFixture();
    const { abi } = await artifacts.readArtifact("ERC3009DepositCollector");
    const collect = (abi as Abi).find((item) => item.type === "function" && item.name === "collect");
    assert(collect);
    assert.equal(
      selectorOf(collect),
      toFunctionSelector("collect(address payer,address token,uint256 amount,bytes32 channelId,bytes collectorData)"),
    );
    const buildNonce = await sdkInternal<(channelId: string, salt: string) => string>("buildErc3009DepositNonce");
    const buildData =
      await sdkInternal<(a: string, b: string, salt: string, sig: string) => string>("buildErc3009CollectorData");
    const channelId = f.channelId(f.config());
    assert.equal(await f.collector.read.depositNonce([channelId, 99n]), buildNonce(channelId, "99"));
    assert.equal(
      buildData("0", "5", "99", "0xabcd"),
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes" }],
        [0n, 5n, 99n, "0xabcd"],
      ),
    );
  });

  it("gives LocalMulticall3 Multicall3's selectors and viem's multicall3 ABI for what it implements", async () => {
    const { abi } = await artifacts.readArtifact("LocalMulticall3");
    const selectors = (abi as Abi).filter((item) => item.type === "function").map(selectorOf);
    // Multicall3's published selectors: aggregate, tryAggregate (what the SDK calls), aggregate3 (what viem calls).
    for (const selector of ["0x252dba42", "0xbce38bd7", "0x82ad56cb"]) assert(selectors.includes(selector), selector);
    assertAbiCovers(
      abi as Abi,
      multicall3Abi.filter((item) => item.type === "function") as Abi,
      "LocalMulticall3 vs viem multicall3Abi",
      // viem declares aggregate3 `view` (it only eth_calls it); Multicall3 itself, and this contract, say payable.
      { ignoreMutability: true },
    );
    const tryAggregate = (abi as Abi).find((item) => item.type === "function" && item.name === "tryAggregate");
    assert(tryAggregate);
    assert.deepEqual(wireItem(tryAggregate), {
      type: "function",
      name: "tryAggregate",
      inputs: [
        { name: "requireSuccess", type: "bool" },
        {
          name: "calls",
          type: "tuple[]",
          components: [
            { name: "target", type: "address" },
            { name: "callData", type: "bytes" },
          ],
        },
      ],
      outputs: [
        {
          name: "returnData",
          type: "tuple[]",
          components: [
            { name: "success", type: "bool" },
            { name: "returnData", type: "bytes" },
          ],
        },
      ],
      stateMutability: "payable",
    });
  });

  it("answers the SDK's own channel-state read (Multicall3 tryAggregate over channels, pendingWithdrawals, refundNonce)", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    await (await f.escrowAs(f.payer)).write.initiateWithdraw([c, 5n]);
    await (await f.escrowAs(f.receiver)).write.refund([c, 1n]);
    const readChannelState =
      await sdkInternal<
        (
          signer: unknown,
          channelId: string,
        ) => Promise<{ balance: bigint; totalClaimed: bigint; withdrawRequestedAt: number; refundNonce: bigint }>
      >("readChannelState");
    const state = await readChannelState(f.publicClient, f.channelId(c));
    const [, initiatedAt] = await f.escrow.read.pendingWithdrawals([f.channelId(c)]);
    assert.deepEqual(state, {
      balance: 100_000_000n - 1n,
      totalClaimed: 0n,
      withdrawRequestedAt: initiatedAt,
      refundNonce: 1n,
    });
  });
});
