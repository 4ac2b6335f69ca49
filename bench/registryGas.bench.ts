// Gas of the NodeRegistry's operations (issue 16), each its own transaction to a local `hardhat node` with the
// project's token: register (cold: a new key, endpoint and list slot), update (same endpoint; new endpoint),
// add stake, start unbonding, slash, withdraw. `gasUsed` is the receipt's, after refunds.
// Run: npm run bench:registry (prints JSON)
import { deployRegistry, startLocalChain } from "@wg402/contracts";
import { chains, nodeRegistryAbi, x402TestUSDAbi } from "@wg402/shared";
import { type Address, createPublicClient, createWalletClient, type Hex, http, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const MIN_STAKE = 50_000_000n;
const DELAY = 3_600n;
const chain = await startLocalChain();
try {
  const { stack, rpcUrl } = chain;
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain: chains.local.viem, transport, pollingInterval: 50 });
  const walletFor = (key: Hex) =>
    createWalletClient({ chain: chains.local.viem, transport, account: privateKeyToAccount(key) });
  const admin = walletFor(stack.accounts.deployer.privateKey as Hex);
  const operator = walletFor(stack.accounts.operator.privateKey as Hex);
  const token = stack.token.address as Address;
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
    return Number(receipt.gasUsed);
  };

  const deployed = await deployRegistry({
    wallet: admin,
    publicClient,
    token,
    minStake: MIN_STAKE,
    unbondingDelaySeconds: DELAY,
    treasury: admin.account.address,
    arbiter: admin.account.address,
  });
  const registry = deployed.registry.address as Address;
  await send(
    admin.writeContract({
      address: token,
      abi: x402TestUSDAbi,
      functionName: "mint",
      args: [operator.account.address, 100n * MIN_STAKE],
    }),
  );
  await send(
    operator.writeContract({
      address: token,
      abi: x402TestUSDAbi,
      functionName: "approve",
      args: [registry, 2n ** 255n],
    }),
  );

  const info = (name: string, endpoint: string) => ({
    wireguardKey: keccak256(toHex(`wg ${name}`)),
    payTo: operator.account.address,
    signer: admin.account.address,
    pricePerMinute: 1_000n,
    pricePerMb: 20_000n,
    schemes: 3,
    country: toHex("DE", { size: 2 }),
    endpoint,
    label: "Frankfurt 1",
  });
  const as = (wallet: typeof operator) => ({
    write: (functionName: string, args: readonly unknown[]) =>
      send(wallet.writeContract({ address: registry, abi: nodeRegistryAbi, functionName, args } as never)),
  });
  const op = as(operator);
  const first = info("a", "https://de1.example.net:4021");
  const gas = {
    deploy: Number(deployed.gasUsed),
    registerFirst: await op.write("register", [first, MIN_STAKE]),
    registerSecond: await op.write("register", [info("b", "https://de2.example.net:4021"), MIN_STAKE]),
    updatePrices: await op.write("update", [first.wireguardKey, 1, { ...first, pricePerMinute: 1_200n }]),
    updateEndpoint: await op.write("update", [
      first.wireguardKey,
      2,
      { ...first, endpoint: "https://de3.example.net" },
    ]),
    addStake: await op.write("addStake", [first.wireguardKey, MIN_STAKE]),
    slash: await as(admin).write("slash", [first.wireguardKey, 1_000n, keccak256(toHex("evidence"))]),
    startUnbonding: await op.write("startUnbonding", [first.wireguardKey]),
    withdraw: 0,
  };
  await publicClient.request({ method: "evm_increaseTime" as never, params: [Number(DELAY)] as never });
  await publicClient.request({ method: "evm_mine" as never, params: [] as never });
  gas.withdraw = await op.write("withdraw", [first.wireguardKey]);
  console.log(
    JSON.stringify(
      {
        bench: "NodeRegistry gas (one transaction each, local hardhat node, X402TestUSD stake)",
        minStake: MIN_STAKE.toString(),
        gasUsed: gas,
        notes: {
          registerFirst: "cold: the entry, its endpoint's slot, the list slot, the stake transfer",
          updateEndpoint: "frees the old endpoint's slot and takes the new one",
          withdraw: "after the unbonding delay: pays the stake back and removes the entry (storage refunds)",
        },
      },
      null,
      2,
    ),
  );
} finally {
  await chain.stop();
}
