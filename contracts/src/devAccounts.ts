import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The well-known mnemonic that `hardhat node` funds. Its keys are public: never use them off the local chain. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * Roles given to the node's first accounts, so every tool agrees who is who on the local chain. `operator` is the
 * nodes' payTo; `registrant` controls their registry entries and pays their stake (a key apart, as a real
 * operator keeps its payTo wallet cold).
 */
export const devAccountIndex = { deployer: 0, facilitator: 1, operator: 2, demo: 3, registrant: 4 } as const;
export type DevAccountRole = keyof typeof devAccountIndex;

export type DevAccount = { address: `0x${string}`; privateKey: `0x${string}` };

export function devAccount(index: number): DevAccount {
  const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key for dev account ${index}`);
  return { address: account.address, privateKey: bytesToHex(key) };
}

export function devAccounts(): Record<DevAccountRole, DevAccount> {
  return Object.fromEntries(
    Object.entries(devAccountIndex).map(([role, index]) => [role, devAccount(index)]),
  ) as Record<DevAccountRole, DevAccount>;
}
