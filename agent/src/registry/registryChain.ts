// The NodeRegistry as the registrar and the operator commands see it: a small seam, so the registrar's decisions
// can be tested against a fake, and the real one over viem. Every write is simulated first (a refusal costs no
// gas and sends nothing) and waits for its receipt.
import {
  BaseError,
  type ChainInfo,
  decodeRegistryEntry,
  ErrorCode,
  encodeRegistryInfo,
  nodeRegistryAbi,
  type RegistryEntry,
  type RegistryNodeInfo,
  type RegistryNodeStruct,
  x402TestUSDAbi,
} from "@wg402/shared";
import {
  type Address,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  BaseError as ViemError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export type RegistryTerms = { minStake: bigint; unbondingDelaySeconds: number; stakeToken: Address };

export type RegistryChain = {
  /** The NodeRegistry contract. */
  readonly address: Address;
  /** Who signs this seam's transactions: the operator. */
  readonly operator: Address;
  /** The entry of `id`, or null when there is none. */
  entry(id: Hex): Promise<RegistryEntry | null>;
  terms(): Promise<RegistryTerms>;
  /** The latest block's timestamp, unix seconds: what `withdraw` is judged against. */
  chainTime(): Promise<number>;
  /** The operator's balance of the stake token. */
  stakeBalance(): Promise<bigint>;
  /** Whether a transaction of the operator is still unmined (one whose receipt a slow chain did not give). */
  hasPendingTransaction(): Promise<boolean>;
  /** Approves (only when the allowance falls short, and only `stake`) and registers. Returns the tx hashes. */
  register(info: RegistryNodeInfo, stake: bigint): Promise<Hex[]>;
  update(id: Hex, expectedVersion: number, info: RegistryNodeInfo): Promise<Hex>;
  addStake(id: Hex, amount: bigint): Promise<Hex[]>;
  startUnbonding(id: Hex): Promise<Hex>;
  withdraw(id: Hex): Promise<Hex>;
};

/** The contract's custom error behind `error`, if the chain refused (rather than could not be reached). */
export function revertOf(error: unknown): { name: string; args: readonly unknown[] } | undefined {
  const found = error instanceof ViemError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
  if (!(found instanceof ContractFunctionRevertedError)) return undefined;
  return { name: found.data?.errorName ?? found.reason ?? "revert", args: found.data?.args ?? [] };
}

/** A chain error as data: the contract's refusal by name, anything else the chain being unreachable. */
export function registryErrorOf(error: unknown, action: string): BaseError {
  if (error instanceof BaseError) return error;
  const revert = revertOf(error);
  if (!revert) {
    const detail = error instanceof ViemError ? error.shortMessage : String(error);
    return new BaseError(`${action}: the chain is unreachable (${detail})`, {
      code: ErrorCode.rpc_unreachable,
      cause: error,
    });
  }
  const code =
    revert.name === "StaleVersion"
      ? ErrorCode.registry_stale_version
      : revert.name === "NotOperator"
        ? ErrorCode.registry_not_operator
        : revert.name === "UnknownNode"
          ? ErrorCode.registry_entry_missing
          : revert.name === "UnbondingNotOver"
            ? ErrorCode.registry_unbonding_not_over
            : ErrorCode.registry_refused;
  const args = revert.args.map((a) => String(a)).join(", ");
  return new BaseError(`${action}: the registry refused (${revert.name}${args ? `: ${args}` : ""})`, {
    code,
    cause: error,
    details: { error: revert.name, args: revert.args.map((a) => String(a)) },
  });
}

export type CreateRegistryChainOptions = {
  chain: ChainInfo;
  rpcUrl: string;
  address: Address;
  operatorKey: Hex;
  /** Per RPC request: a hung node fails the pass instead of holding it. */
  timeoutMs?: number;
  pollingIntervalMs?: number;
};

export function createRegistryChain({
  chain,
  rpcUrl,
  address,
  operatorKey,
  timeoutMs = 10_000,
  pollingIntervalMs,
}: CreateRegistryChainOptions): RegistryChain {
  const transport = http(rpcUrl, { timeout: timeoutMs, retryCount: 1 });
  const publicClient = createPublicClient({
    chain: chain.viem,
    transport,
    ...(pollingIntervalMs ? { pollingInterval: pollingIntervalMs } : {}),
  });
  const account = privateKeyToAccount(operatorKey);
  const wallet = createWalletClient({ chain: chain.viem, transport, account });
  let terms: Promise<RegistryTerms> | undefined;

  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address, abi: nodeRegistryAbi, functionName, args } as never) as Promise<T>;
  /** Simulates, sends, and waits for a successful receipt. */
  async function send(
    target: Address,
    abi: typeof nodeRegistryAbi | typeof x402TestUSDAbi,
    fn: string,
    args: unknown[],
  ) {
    const { request } = await publicClient.simulateContract({
      address: target,
      abi,
      functionName: fn,
      args,
      account,
    } as never);
    const hash = await wallet.writeContract(request as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== "success") {
      throw new BaseError(`${fn} reverted in ${hash}`, { code: ErrorCode.registry_refused, details: { hash } });
    }
    return hash;
  }
  const token = async () => (await seam.terms()).stakeToken;
  /** Approves `amount` only when the allowance falls short of it: no approval twice, none unlimited. */
  async function approveFor(amount: bigint): Promise<Hex[]> {
    const stakeToken = await token();
    const allowance = (await publicClient.readContract({
      address: stakeToken,
      abi: x402TestUSDAbi,
      functionName: "allowance",
      args: [account.address, address],
    })) as bigint;
    if (allowance >= amount) return [];
    return [await send(stakeToken, x402TestUSDAbi, "approve", [address, amount])];
  }
  async function guard<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw registryErrorOf(error, action);
    }
  }

  const seam: RegistryChain = {
    address,
    operator: account.address,
    entry: (id) =>
      guard("reading the registry entry", async () => {
        const [node, active] = await Promise.all([
          read<RegistryNodeStruct>("node", [id]),
          read<boolean>("isActive", [id]),
        ]);
        if (/^0x0{40}$/.test(node.operator)) return null;
        return decodeRegistryEntry(id, node, active);
      }),
    terms() {
      // Immutable in the contract: read once, forgotten on failure so the next call retries.
      terms ??= guard("reading the registry's terms", async () => {
        const [minStake, delay, stakeToken] = await Promise.all([
          read<bigint>("minStake"),
          read<bigint>("unbondingDelay"),
          read<Address>("stakeToken"),
        ]);
        return { minStake, unbondingDelaySeconds: Number(delay), stakeToken };
      }).catch((error: unknown) => {
        terms = undefined;
        throw error;
      });
      return terms;
    },
    chainTime: () => guard("reading the chain's time", async () => Number((await publicClient.getBlock()).timestamp)),
    stakeBalance: () =>
      guard(
        "reading the stake balance",
        async () =>
          (await publicClient.readContract({
            address: await token(),
            abi: x402TestUSDAbi,
            functionName: "balanceOf",
            args: [account.address],
          })) as bigint,
      ),
    hasPendingTransaction: () =>
      guard("reading the operator's nonce", async () => {
        const [pending, latest] = await Promise.all([
          publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }),
          publicClient.getTransactionCount({ address: account.address, blockTag: "latest" }),
        ]);
        return pending > latest;
      }),
    register: (info, stake) =>
      guard("registering", async () => {
        const approvals = await approveFor(stake);
        return [...approvals, await send(address, nodeRegistryAbi, "register", [encodeRegistryInfo(info), stake])];
      }),
    update: (id, expectedVersion, info) =>
      guard("updating the entry", () =>
        send(address, nodeRegistryAbi, "update", [id, expectedVersion, encodeRegistryInfo(info)]),
      ),
    addStake: (id, amount) =>
      guard("adding stake", async () => {
        const approvals = await approveFor(amount);
        return [...approvals, await send(address, nodeRegistryAbi, "addStake", [id, amount])];
      }),
    startUnbonding: (id) => guard("starting to unbond", () => send(address, nodeRegistryAbi, "startUnbonding", [id])),
    withdraw: (id) => guard("withdrawing", () => send(address, nodeRegistryAbi, "withdraw", [id])),
  };
  return seam;
}
