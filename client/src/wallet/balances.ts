import { ErrorCode } from "@wg402/shared";
import { erc20Abi } from "viem";
import { formatTokenAmount } from "../chain/money.ts";
import type { PaymentChain } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";

export type Balances = {
  address: `0x${string}`;
  network: string;
  /** Gas, in wei. Paying a lease needs none (the facilitator sends the transaction); the faucet does. */
  native: bigint;
  nativeSymbol: string;
  token: bigint;
  tokenInfo: PaymentChain["token"];
};

export async function readBalances(paymentChain: PaymentChain, address: `0x${string}`): Promise<Balances> {
  const { publicClient, token, chain } = paymentChain;
  try {
    const [native, tokenBalance] = await Promise.all([
      publicClient.getBalance({ address }),
      readTokenBalance(paymentChain, address),
    ]);
    return {
      address,
      network: chain.network,
      native,
      nativeSymbol: chain.viem.nativeCurrency.symbol,
      token: tokenBalance,
      tokenInfo: token,
    };
  } catch (error) {
    if (error instanceof ClientError) throw error;
    throw new ClientError(`cannot read balances from the ${chain.name} RPC at ${paymentChain.rpcUrl}`, {
      code: ErrorCode.rpc_unreachable,
      cause: error,
    });
  }
}

export function readTokenBalance(paymentChain: PaymentChain, address: `0x${string}`): Promise<bigint> {
  return paymentChain.publicClient.readContract({
    address: paymentChain.token.address,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [address],
  });
}

/** `insufficient_balance` unless `address` holds at least `amount` of the token. Read before any signature. */
export async function assertTokenBalance(
  paymentChain: PaymentChain,
  address: `0x${string}`,
  amount: bigint,
): Promise<bigint> {
  let balance: bigint;
  try {
    balance = await readTokenBalance(paymentChain, address);
  } catch (error) {
    throw new ClientError(`cannot read the ${paymentChain.token.symbol} balance from ${paymentChain.rpcUrl}`, {
      code: ErrorCode.rpc_unreachable,
      cause: error,
    });
  }
  if (balance < amount) {
    const hint = paymentChain.chain.testOnly ? " (`wg402 faucet` gives test tokens)" : "";
    throw new ClientError(
      `insufficient balance: this costs ${formatTokenAmount(amount, paymentChain.token)} but ${address} holds ${formatTokenAmount(balance, paymentChain.token)}${hint}`,
      {
        code: ErrorCode.insufficient_balance,
        details: { balance: balance.toString(), needed: amount.toString() },
      },
    );
  }
  return balance;
}
