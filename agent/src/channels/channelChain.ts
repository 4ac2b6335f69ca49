import { BaseError, canonicalEscrowAddresses, ErrorCode, x402BatchSettlementAbi } from "@wg402/shared";
import type { PublicClient } from "viem";
import type { ChannelChain } from "./channelSettler.ts";

/** The escrow's view of a channel and the receipts of the node's transactions, read-only over RPC. */
export function createChannelChain(publicClient: PublicClient): ChannelChain {
  return {
    async withdrawInitiatedAt(channelId) {
      const [, initiatedAt] = await publicClient.readContract({
        address: canonicalEscrowAddresses.batchSettlement as `0x${string}`,
        abi: x402BatchSettlementAbi,
        functionName: "pendingWithdrawals",
        args: [channelId],
      });
      return Number(initiatedAt);
    },
    async gasUsed(tx) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(tx)) return undefined;
      const receipt = await publicClient.getTransactionReceipt({ hash: tx as `0x${string}` });
      return receipt.gasUsed;
    },
  };
}

/** Refuses to sell by channel on a chain where the escrow's code is not at the SDK's address. */
export async function assertEscrowPresent(publicClient: PublicClient, network: string): Promise<void> {
  const address = canonicalEscrowAddresses.batchSettlement as `0x${string}`;
  const code = await publicClient.getCode({ address });
  if (!code || code === "0x") {
    throw new BaseError(`AGENT_CHANNEL=on, but no batch-settlement escrow code is at ${address} on ${network}`, {
      code: ErrorCode.invalid_config,
    });
  }
}
