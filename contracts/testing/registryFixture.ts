// Test fixture for NodeRegistry, kept out of test/: the registry over the project's test token on a fresh
// in-process chain, three funded operators, an arbiter and a treasury, and a valid NodeInfo to vary.
import assert from "node:assert/strict";
import type { RegistryNodeInfoStruct } from "@wg402/shared";
import { network } from "hardhat";
import { type Hex, keccak256, toHex } from "viem";

export const MIN_STAKE = 50_000_000n; // 50 tUSD
export const UNBONDING_DELAY = 7n * 24n * 3600n;
export const SCHEME_EXACT = 1;
export const SCHEME_BATCH = 2;

/** The contract's NodeInfo struct, as the shared codec names it. */
export type NodeInfo = RegistryNodeInfoStruct;

/** "DE" as the contract's bytes2. */
export const country = (code: string): Hex => toHex(code, { size: 2 });
export const keyOf = (name: string): Hex => keccak256(toHex(`wireguard key ${name}`));

export async function registryFixture(options: { treasury?: "burn" } = {}) {
  const { viem, networkHelpers } = await network.create();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert(client, `hardhat network has no wallet #${index}`);
    return client;
  };
  const [admin, alice, bob, mallory, arbiter, treasury] = [0, 1, 2, 3, 4, 5].map(wallet) as [
    ReturnType<typeof wallet>,
    ReturnType<typeof wallet>,
    ReturnType<typeof wallet>,
    ReturnType<typeof wallet>,
    ReturnType<typeof wallet>,
    ReturnType<typeof wallet>,
  ];
  const token = await viem.deployContract("X402TestUSD", [admin.account.address, 0n, 0n, 0n]);
  const treasuryAddress =
    options.treasury === "burn" ? "0x0000000000000000000000000000000000000000" : treasury.account.address;
  const registry = await viem.deployContract("NodeRegistry", [
    token.address,
    MIN_STAKE,
    UNBONDING_DELAY,
    treasuryAddress,
    admin.account.address,
  ]);
  await registry.write.grantRole([await registry.read.ARBITER_ROLE(), arbiter.account.address]);
  for (const who of [alice, bob, mallory]) {
    await token.write.mint([who.account.address, 100_000n * MIN_STAKE]);
    const asWho = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: who } });
    await asWho.write.approve([registry.address, 2n ** 255n]);
  }
  const as = (who: typeof alice) => viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: who } });
  const info = (over: Partial<NodeInfo> = {}): NodeInfo => ({
    wireguardKey: keyOf("alice-1"),
    payTo: alice.account.address,
    signer: bob.account.address,
    pricePerMinute: 1_000n,
    pricePerMb: 20_000n,
    schemes: SCHEME_EXACT | SCHEME_BATCH,
    country: country("DE"),
    endpoint: "https://de1.example.net:4021",
    label: "Frankfurt 1",
    ...over,
  });
  const now = async () => BigInt(await networkHelpers.time.latest());
  const publicClient = await viem.getPublicClient();
  const gasOf = async (hash: Hex) => (await publicClient.waitForTransactionReceipt({ hash })).gasUsed;
  return { viem, networkHelpers, token, registry, admin, alice, bob, mallory, arbiter, treasury, as, info, now, gasOf };
}
