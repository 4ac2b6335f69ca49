// The NodeRegistry entry as wg402 speaks it, and the one codec between that and the contract's struct
// (contracts/contracts/registry/NodeRegistry.sol): WireGuard keys are base64 here and bytes32 there, a country
// is "DE" here and bytes2 there, schemes are names here and a bitmask there.
import { type Address, type Hex, hexToString, isAddressEqual, toHex } from "viem";
import { z } from "zod";
import { EvmAddress, WireguardPublicKey } from "./lease.ts";

/** The schemes an entry may accept, and their bits in `NodeInfo.schemes` (the contract's SCHEME_* constants). */
export const registrySchemeBits = { exact: 1, "batch-settlement": 2 } as const;
export type RegistryScheme = keyof typeof registrySchemeBits;
export const registrySchemes = Object.keys(registrySchemeBits) as RegistryScheme[];

export const CountryCode = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE");

/** What an operator states about its node: the contract's NodeInfo, in wg402's own terms. */
export const RegistryNodeInfo = z.object({
  wireguardKey: WireguardPublicKey,
  payTo: EvmAddress,
  /** The node's own signing key (its `offerSigner`), which answers the challenge. */
  signer: EvmAddress,
  pricePerMinute: z.string().regex(/^\d+$/),
  /** "0": the node sells time only. */
  pricePerMb: z.string().regex(/^\d+$/),
  schemes: z.array(z.enum(registrySchemes as [RegistryScheme, ...RegistryScheme[]])).min(1),
  country: CountryCode,
  /** The lease API's URL (what `GET /` answers at). */
  url: z.string().min(1).max(256),
  label: z.string().max(64),
});
export type RegistryNodeInfo = z.infer<typeof RegistryNodeInfo>;

/** active: discoverable; leaving: unbonding (never offered); understaked: slashed below the minimum. */
export const RegistryStatus = z.enum(["active", "leaving", "understaked"]);
export type RegistryStatus = z.infer<typeof RegistryStatus>;

export const RegistryEntry = RegistryNodeInfo.extend({
  id: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  operator: EvmAddress,
  stake: z.string().regex(/^\d+$/),
  /** Unix seconds; 0 unless unbonding. */
  unbondingEndsAt: z.number().int().nonnegative(),
  version: z.number().int().positive(),
  status: RegistryStatus,
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

/** The contract's NodeInfo struct, as viem reads and writes it. */
export type RegistryNodeInfoStruct = {
  wireguardKey: Hex;
  payTo: Address;
  signer: Address;
  pricePerMinute: bigint;
  pricePerMb: bigint;
  schemes: number;
  country: Hex;
  endpoint: string;
  label: string;
};

/** The contract's Node struct, as viem reads it. */
export type RegistryNodeStruct = {
  info: RegistryNodeInfoStruct;
  operator: Address;
  stake: bigint;
  unbondingEndsAt: bigint;
  version: number;
};

/** A WireGuard key's 32 bytes: the entry's id. */
export const wireguardKeyToBytes32 = (key: string): Hex => toHex(Buffer.from(key, "base64"));
export const bytes32ToWireguardKey = (id: Hex): string => Buffer.from(id.slice(2), "hex").toString("base64");

export const schemesToMask = (schemes: readonly RegistryScheme[]): number =>
  schemes.reduce((mask, scheme) => mask | registrySchemeBits[scheme], 0);
export const maskToSchemes = (mask: number): RegistryScheme[] =>
  registrySchemes.filter((scheme) => (mask & registrySchemeBits[scheme]) !== 0);

export function encodeRegistryInfo(info: RegistryNodeInfo): RegistryNodeInfoStruct {
  return {
    wireguardKey: wireguardKeyToBytes32(info.wireguardKey),
    payTo: info.payTo as Address,
    signer: info.signer as Address,
    pricePerMinute: BigInt(info.pricePerMinute),
    pricePerMb: BigInt(info.pricePerMb),
    schemes: schemesToMask(info.schemes),
    country: toHex(info.country, { size: 2 }),
    endpoint: info.url,
    label: info.label,
  };
}

export function decodeRegistryInfo(info: RegistryNodeInfoStruct): RegistryNodeInfo {
  return {
    wireguardKey: bytes32ToWireguardKey(info.wireguardKey),
    payTo: info.payTo,
    signer: info.signer,
    pricePerMinute: info.pricePerMinute.toString(),
    pricePerMb: info.pricePerMb.toString(),
    schemes: maskToSchemes(Number(info.schemes)),
    country: hexToString(info.country, { size: 2 }),
    url: info.endpoint,
    label: info.label,
  };
}

/** An entry from the contract's `node(id)` or `nodesPage`, with the status its stake and unbonding give it. */
export function decodeRegistryEntry(id: Hex, node: RegistryNodeStruct, active: boolean): RegistryEntry {
  const unbondingEndsAt = Number(node.unbondingEndsAt);
  return {
    ...decodeRegistryInfo(node.info),
    id,
    operator: node.operator,
    stake: node.stake.toString(),
    unbondingEndsAt,
    version: Number(node.version),
    status: active ? "active" : unbondingEndsAt > 0 ? "leaving" : "understaked",
  };
}

/** Whether an entry already states `info` (so registering or updating would change nothing). */
export function registryInfoEquals(a: RegistryNodeInfo, b: RegistryNodeInfo): boolean {
  return (
    a.wireguardKey === b.wireguardKey &&
    isAddressEqual(a.payTo as Address, b.payTo as Address) &&
    isAddressEqual(a.signer as Address, b.signer as Address) &&
    a.pricePerMinute === b.pricePerMinute &&
    a.pricePerMb === b.pricePerMb &&
    schemesToMask(a.schemes) === schemesToMask(b.schemes) &&
    a.country === b.country &&
    a.url === b.url &&
    a.label === b.label
  );
}

/** Where a chain's NodeRegistry is, and the block it was deployed in (where an event index starts). */
export const RegistryDeployment = z.object({
  address: EvmAddress,
  deployBlock: z.number().int().nonnegative(),
  minStake: z.string().regex(/^\d+$/),
  unbondingDelaySeconds: z.number().int().nonnegative(),
});
export type RegistryDeployment = z.infer<typeof RegistryDeployment>;
