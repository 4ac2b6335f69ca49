// Test-only: writes to the real NodeRegistry of a local stack (a hardhat chain), as its registrant (who stakes
// and operates entries) and deployer (who mints stake and, as arbiter, slashes). Registrations are sent with
// explicit nonces and a fixed gas limit, so a thousand go out without a round trip each.
import {
  chains,
  encodeRegistryInfo,
  type LocalStack,
  type NodeInfo,
  nodeRegistryAbi,
  type RegistryNodeInfo,
  type RegistryScheme,
  wireguardKeyToBytes32,
  x402TestUSDAbi,
} from "@wg402/shared";
import { createPublicClient, createWalletClient, type Hex, http, keccak256, type PublicClient, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const GAS = 1_000_000n;

/** What an honest operator registers for a node that answers `info` at `url`. */
export function honestEntry(info: NodeInfo, entry: { url: string; country: string; label?: string }): RegistryNodeInfo {
  return {
    wireguardKey: info.publicKey,
    payTo: info.accepts[0]?.payTo as string,
    signer: info.offerSigner as string,
    pricePerMinute: info.pricePerMinute,
    pricePerMb: info.data?.pricePerMb ?? "0",
    schemes: [...new Set(info.accepts.map((kind) => kind.scheme))] as RegistryScheme[],
    country: entry.country,
    url: entry.url,
    label: entry.label ?? info.name,
  };
}

export type RegistryWriter = ReturnType<typeof registryWriter>;

export function registryWriter(stack: LocalStack, rpcUrl: string) {
  const registry = stack.registry?.address as Hex;
  if (!registry) throw new Error("this stack has no registry");
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain: chains.local.viem, transport, pollingInterval: 20 }) as PublicClient;
  const wallet = (key: string) =>
    createWalletClient({ chain: chains.local.viem, transport, account: privateKeyToAccount(key as Hex) });
  const registrant = wallet(stack.accounts.registrant?.privateKey as string);
  const deployer = wallet(stack.accounts.deployer.privateKey);
  const minStake = BigInt(stack.registry?.minStake ?? "0");
  let nonce: number | null = null;

  /** Sends `writes` from the registrant back to back, then waits for all of them. */
  async function batch(writes: { functionName: string; args: readonly unknown[] }[]): Promise<void> {
    nonce ??= await publicClient.getTransactionCount({ address: registrant.account.address, blockTag: "pending" });
    const hashes: Hex[] = [];
    for (const write of writes) {
      hashes.push(
        await registrant.writeContract({
          address: registry,
          abi: nodeRegistryAbi,
          functionName: write.functionName,
          args: write.args,
          gas: GAS,
          nonce: nonce++,
        } as never),
      );
    }
    for (const hash of hashes) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== "success") throw new Error(`${hash} reverted`);
    }
  }

  const idOf = (info: Pick<RegistryNodeInfo, "wireguardKey">) => wireguardKeyToBytes32(info.wireguardKey);

  return {
    publicClient,
    registry,
    minStake,
    idOf,
    /** Mints `stakeFor` entries' worth of stake to the registrant and approves the registry for it. */
    async fund(entries: number): Promise<void> {
      const amount = minStake * BigInt(entries);
      const mint = await deployer.writeContract({
        address: stack.token.address as Hex,
        abi: x402TestUSDAbi,
        functionName: "mint",
        args: [registrant.account.address, amount],
      });
      await publicClient.waitForTransactionReceipt({ hash: mint });
      nonce = null;
      const approve = await registrant.writeContract({
        address: stack.token.address as Hex,
        abi: x402TestUSDAbi,
        functionName: "approve",
        args: [registry, 2n ** 255n],
      });
      await publicClient.waitForTransactionReceipt({ hash: approve });
    },
    register: (infos: RegistryNodeInfo[], stake = minStake) =>
      batch(infos.map((info) => ({ functionName: "register", args: [encodeRegistryInfo(info), stake] }))),
    /** Replaces entries' info; `version` is each entry's current one. */
    update: (changes: { info: RegistryNodeInfo; version: number }[]) =>
      batch(
        changes.map(({ info, version }) => ({
          functionName: "update",
          args: [idOf(info), version, encodeRegistryInfo(info)],
        })),
      ),
    startUnbonding: (ids: Hex[]) => batch(ids.map((id) => ({ functionName: "startUnbonding", args: [id] }))),
    withdraw: (ids: Hex[]) => batch(ids.map((id) => ({ functionName: "withdraw", args: [id] }))),
    addStake: (id: Hex, amount: bigint) => batch([{ functionName: "addStake", args: [id, amount] }]),
    async slash(id: Hex, amount: bigint): Promise<void> {
      const hash = await deployer.writeContract({
        address: registry,
        abi: nodeRegistryAbi,
        functionName: "slash",
        args: [id, amount, keccak256(toHex(`evidence ${id} ${Math.random()}`))],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`slash ${hash} reverted`);
    },
    async increaseTime(seconds: number): Promise<void> {
      await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
      await publicClient.request({ method: "evm_mine" as never, params: [] as never });
    },
  };
}
