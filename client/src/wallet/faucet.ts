import { ErrorCode, x402TestUSDAbi } from "@wg402/shared";
import {
  ContractFunctionRevertedError,
  createWalletClient,
  http,
  type LocalAccount,
  parseEther,
  BaseError as ViemError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { PaymentChain } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";
import { readTokenBalance } from "./balances.ts";

export type FaucetResult = {
  txHash: `0x${string}`;
  /** Base units received. */
  amount: bigint;
  balance: bigint;
  /** On the local chain, a wallet without gas first gets some from the stack's (public, test-only) deployer. */
  gasTopUp: { txHash: `0x${string}`; amount: bigint } | null;
};

const GAS_TOP_UP = parseEther("1");
const MIN_GAS = parseEther("0.01");

/** Calls the test token's `faucet()` for `account`. Test chains only. */
export async function requestFaucet(paymentChain: PaymentChain, account: LocalAccount): Promise<FaucetResult> {
  const { chain, publicClient, token } = paymentChain;
  if (!chain.testOnly) {
    throw new ClientError(`${chain.name} has real money: there is no faucet`, {
      code: ErrorCode.faucet_unavailable,
    });
  }
  if (chain.key !== "local") {
    throw new ClientError(
      `${token.symbol} on ${chain.name} has no faucet() here: get test tokens from the issuer's faucet (https://faucet.circle.com for USDC)`,
      {
        code: ErrorCode.faucet_unavailable,
      },
    );
  }
  const transport = http(paymentChain.rpcUrl);
  let gasTopUp: FaucetResult["gasTopUp"] = null;
  if ((await publicClient.getBalance({ address: account.address })) < MIN_GAS) {
    const deployer = paymentChain.stack?.accounts.deployer;
    if (!deployer) {
      throw new ClientError(`${account.address} has no gas to call the faucet`, {
        code: ErrorCode.insufficient_gas,
      });
    }
    const funder = createWalletClient({
      account: privateKeyToAccount(deployer.privateKey as `0x${string}`),
      chain: chain.viem,
      transport,
    });
    const hash = await funder.sendTransaction({ to: account.address, value: GAS_TOP_UP });
    await publicClient.waitForTransactionReceipt({ hash });
    gasTopUp = { txHash: hash, amount: GAS_TOP_UP };
  }

  const before = await readTokenBalance(paymentChain, account.address);
  let request: Parameters<ReturnType<typeof createWalletClient>["writeContract"]>[0];
  try {
    ({ request } = await publicClient.simulateContract({
      account,
      address: token.address,
      abi: x402TestUSDAbi,
      functionName: "faucet",
    }));
  } catch (error) {
    throw faucetRefusal(error, token.symbol);
  }
  const wallet = createWalletClient({ account, chain: chain.viem, transport });
  const txHash = await wallet.writeContract(request);
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") {
    throw new ClientError(`the faucet transaction ${txHash} reverted`, { code: ErrorCode.faucet_unavailable });
  }
  const balance = await readTokenBalance(paymentChain, account.address);
  return { txHash, amount: balance - before, balance, gasTopUp };
}

function faucetRefusal(error: unknown, symbol: string): ClientError {
  const reverted =
    error instanceof ViemError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
  if (reverted instanceof ContractFunctionRevertedError) {
    const name = reverted.data?.errorName;
    const args = reverted.data?.args ?? [];
    if (name === "FaucetCooldownActive") {
      const at = new Date(Number(args[1] as bigint) * 1000).toISOString();
      return new ClientError(`the faucet gives once a minute: try again after ${at}`, {
        code: ErrorCode.faucet_unavailable,
        cause: error,
      });
    }
    if (name === "FaucetCapExceeded") {
      return new ClientError(`this address has had all the ${symbol} the faucet gives`, {
        code: ErrorCode.faucet_unavailable,
        cause: error,
      });
    }
    if (name === "FaucetDisabled") {
      return new ClientError("the faucet is disabled on this chain", {
        code: ErrorCode.faucet_unavailable,
        cause: error,
      });
    }
    return new ClientError(`the faucet refused: ${name ?? reverted.shortMessage}`, {
      code: ErrorCode.faucet_unavailable,
      cause: error,
    });
  }
  return new ClientError(`the faucet call failed: ${(error as Error).message.split("\n")[0]}`, {
    code: ErrorCode.faucet_unavailable,
    cause: error,
  });
}
