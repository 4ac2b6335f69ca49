import { canonicalEscrowAddresses, x402BatchSettlementAbi } from "@wg402/shared";
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
