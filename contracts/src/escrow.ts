import { canonicalEscrowAddresses } from "@wg402/shared";
import { type Address, getAddress, type Hex, padHex } from "viem";
import { type Artifact, readArtifact } from "./artifacts.ts";

/** Where the `batch-settlement` contracts sit: the SDK looks for them at `canonicalEscrowAddresses`. */
export type EscrowAddresses = { batchSettlement: Address; depositCollector: Address; multicall3: Address };

/** Writes `value` (a 32-byte word) into every immutable slot of runtime `code`; the contract must have one immutable. */
export function fillImmutable(code: Hex, references: Artifact["immutableReferences"], value: Hex): Hex {
  const slots = Object.values(references ?? {});
  if (slots.length !== 1) throw new Error(`expected exactly one immutable, found ${slots.length}`);
  const word = padHex(value, { size: 32 }).slice(2);
  let hex = code.slice(2);
  for (const { start, length } of slots[0] ?? []) {
    if (length !== 32) throw new Error(`immutable of ${length} bytes`);
    hex = hex.slice(0, start * 2) + word + hex.slice((start + length) * 2);
  }
  return `0x${hex}`;
}

function withoutImmutables(name: string, artifact: Artifact): Hex {
  if (Object.keys(artifact.immutableReferences ?? {}).length !== 0) {
    throw new Error(`${name} has immutables; its runtime code cannot be copied as it is`);
  }
  return artifact.deployedBytecode;
}

/**
 * The runtime code of wg402's escrow, its ERC-3009 deposit collector bound to `escrow`, and the local Multicall3:
 * what {@link installEscrow} places. None needs storage initialised; the collector's one immutable (the escrow's
 * address) is written into its code here, as its constructor would have.
 */
export async function escrowRuntimeCode(escrow: Address = canonicalEscrowAddresses.batchSettlement) {
  const [settlement, collector, multicall] = await Promise.all([
    readArtifact("escrow/X402BatchSettlement.sol"),
    readArtifact("escrow/ERC3009DepositCollector.sol"),
    readArtifact("utils/LocalMulticall3.sol"),
  ]);
  return {
    batchSettlement: withoutImmutables("X402BatchSettlement", settlement),
    depositCollector: fillImmutable(collector.deployedBytecode, collector.immutableReferences, escrow),
    multicall3: withoutImmutables("LocalMulticall3", multicall),
  };
}

/** The two calls of a viem test client (Hardhat's `hardhat_setCode`, `eth_getCode`) that installing needs. */
export type SetCodeClient = {
  setCode: (args: { address: Address; bytecode: Hex }) => Promise<unknown>;
  getCode: (args: { address: Address }) => Promise<Hex | undefined>;
};

export type InstallEscrowParameters = {
  client: SetCodeClient;
  /** Defaults to the canonical addresses, where `@x402/evm` looks. */
  addresses?: EscrowAddresses;
};

/**
 * Puts wg402's `batch-settlement` escrow, its ERC-3009 deposit collector and a Multicall3 stand-in at their
 * canonical addresses on a local chain (`hardhat_setCode`), so the official SDK works against it unmodified.
 * Checks the code is there afterwards.
 */
export async function installEscrow({
  client,
  addresses = canonicalEscrowAddresses,
}: InstallEscrowParameters): Promise<EscrowAddresses> {
  const code = await escrowRuntimeCode(addresses.batchSettlement);
  const placed = {
    batchSettlement: getAddress(addresses.batchSettlement),
    depositCollector: getAddress(addresses.depositCollector),
    multicall3: getAddress(addresses.multicall3),
  };
  for (const key of ["batchSettlement", "depositCollector", "multicall3"] as const) {
    await client.setCode({ address: placed[key], bytecode: code[key] });
    const onChain = await client.getCode({ address: placed[key] });
    if (onChain?.toLowerCase() !== code[key].toLowerCase()) {
      throw new Error(`no code at ${placed[key]} after hardhat_setCode (${key})`);
    }
  }
  return placed;
}
