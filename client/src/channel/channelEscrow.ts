// The payer's own view of, and escape hatch from, a channel on the escrow: read-only state, and the
// withdrawal the payer starts and finishes itself (it pays the gas: this is for a node that is gone).
import { canonicalEscrowAddresses, ErrorCode, x402BatchSettlementAbi } from "@wg402/shared";
import { createWalletClient, http, type LocalAccount, BaseError as ViemError } from "viem";
import type { PaymentChain } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";
import type { KnownChannel } from "./channelIndex.ts";

const ESCROW = canonicalEscrowAddresses.batchSettlement as `0x${string}`;

export type ChannelOnChain = {
  balance: bigint;
  claimed: bigint;
  /** A withdrawal the payer started: its amount and when finalize becomes possible (ms since the epoch). */
  withdrawal: { amount: bigint; initiatedAt: number; finalizableAt: number } | null;
};

export async function readChannelOnChain(chain: PaymentChain, channel: KnownChannel): Promise<ChannelOnChain> {
  const id = channel.channelId as `0x${string}`;
  const [[balance, claimed], [amount, initiatedAt]] = await Promise.all([
    chain.publicClient.readContract({
      address: ESCROW,
      abi: x402BatchSettlementAbi,
      functionName: "channels",
      args: [id],
    }),
    chain.publicClient.readContract({
      address: ESCROW,
      abi: x402BatchSettlementAbi,
      functionName: "pendingWithdrawals",
      args: [id],
    }),
  ]);
  const started = Number(initiatedAt);
  return {
    balance,
    claimed,
    withdrawal:
      started === 0
        ? null
        : {
            amount,
            initiatedAt: started * 1000,
            finalizableAt: (started + channel.config.withdrawDelay) * 1000,
          },
  };
}

/** What the escrow would pay out: the balance above what the node has claimed. */
export const withdrawable = (state: ChannelOnChain) =>
  state.balance > state.claimed ? state.balance - state.claimed : 0n;

async function send(
  chain: PaymentChain,
  account: LocalAccount,
  call:
    | { functionName: "initiateWithdraw"; args: readonly [KnownChannel["config"], bigint] }
    | {
        functionName: "finalizeWithdraw";
        args: readonly [KnownChannel["config"]];
      },
): Promise<`0x${string}`> {
  try {
    // One typed call per function would repeat this block; the ABI types it at the escrow anyway.
    const { request } = await chain.publicClient.simulateContract({
      account,
      address: ESCROW,
      abi: x402BatchSettlementAbi,
      ...(call as object),
    } as never);
    const wallet = createWalletClient({ account, chain: chain.chain.viem, transport: http(chain.rpcUrl) });
    const hash = await wallet.writeContract(request as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return hash;
  } catch (error) {
    const reason = error instanceof ViemError ? error.shortMessage : String(error);
    throw new ClientError(`the escrow refused ${call.functionName}: ${reason}`, {
      code: ErrorCode.channel_withdraw_refused,
      cause: error,
    });
  }
}

/** Starts the payer's withdrawal of everything above the claims; the node has `withdrawDelay` to claim first. */
export function initiateWithdraw(chain: PaymentChain, account: LocalAccount, channel: KnownChannel, amount: bigint) {
  return send(chain, account, { functionName: "initiateWithdraw", args: [channel.config, amount] as const });
}

/** Completes a withdrawal once its delay has passed: the escrow pays the payer what is left. */
export function finalizeWithdraw(chain: PaymentChain, account: LocalAccount, channel: KnownChannel) {
  return send(chain, account, { functionName: "finalizeWithdraw", args: [channel.config] as const });
}
