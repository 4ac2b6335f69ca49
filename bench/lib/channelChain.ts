// The chain as the channel bench reads it: every transaction mined in a block range, named by what it called
// (decoded against the escrow's and the token's ABIs), with its receipt's gasUsed.
import { canonicalEscrowAddresses, x402BatchSettlementAbi, x402TestUSDAbi } from "@wg402/shared";
import { decodeFunctionData, type Hex, type PublicClient } from "viem";

export type MinedTx = {
  hash: Hex;
  block: number;
  from: Hex;
  to: Hex | null;
  operation: string;
  gasUsed: number;
  /** A deposit's channel payer. */
  payer: Hex | null;
};

/** The payer of the channel a `deposit` funds. */
function depositPayer(to: Hex | null, input: Hex): Hex | null {
  if (to?.toLowerCase() !== escrow) return null;
  try {
    const call = decodeFunctionData({ abi: x402BatchSettlementAbi, data: input });
    return call.functionName === "deposit" ? (call.args[0] as { payer: Hex }).payer : null;
  } catch {
    return null;
  }
}

const escrow = canonicalEscrowAddresses.batchSettlement.toLowerCase();

/** What a transaction called: `deposit`, `claimWithSignature`, `settle`, `multicall(claimWithSignature+refundWithSignature)`… */
export function operationOf(to: Hex | null, input: Hex, token: Hex): string {
  const target = to?.toLowerCase();
  try {
    if (target === escrow) {
      const call = decodeFunctionData({ abi: x402BatchSettlementAbi, data: input });
      if (call.functionName === "multicall") {
        const inner = ((call.args?.[0] ?? []) as Hex[]).map(
          (data) => decodeFunctionData({ abi: x402BatchSettlementAbi, data }).functionName,
        );
        return `multicall(${inner.join("+")})`;
      }
      return call.functionName;
    }
    if (target === token.toLowerCase())
      return `token.${decodeFunctionData({ abi: x402TestUSDAbi, data: input }).functionName}`;
  } catch {
    // Not one of ours: named by its target below.
  }
  return `other(${target ?? "create"})`;
}

/** Every transaction in blocks (from, to], with its gas. Hardhat mines one transaction per block. */
export async function minedBetween(publicClient: PublicClient, from: bigint, to: bigint, token: Hex) {
  const txs: MinedTx[] = [];
  for (let n = from + 1n; n <= to; n++) {
    const block = await publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
      txs.push({
        hash: tx.hash,
        block: Number(n),
        from: tx.from,
        to: tx.to,
        operation: operationOf(tx.to, tx.input, token),
        gasUsed: Number(receipt.gasUsed),
        payer: depositPayer(tx.to, tx.input),
      });
    }
  }
  return txs;
}

/** Gas per operation: count, total, and each transaction's gasUsed (min/median/max beyond a dozen). */
export function gasByOperation(txs: MinedTx[]) {
  const out: Record<string, { count: number; totalGas: number; perTx: number[] | Record<string, number> }> = {};
  for (const tx of txs) {
    const entry = out[tx.operation] ?? { count: 0, totalGas: 0, perTx: [] };
    out[tx.operation] = entry;
    entry.count++;
    entry.totalGas += tx.gasUsed;
    (entry.perTx as number[]).push(tx.gasUsed);
  }
  for (const entry of Object.values(out)) {
    const sorted = [...(entry.perTx as number[])].sort((x, y) => x - y);
    if (sorted.length > 12) {
      entry.perTx = {
        min: sorted[0] as number,
        median: sorted[Math.floor(sorted.length / 2)] as number,
        max: sorted.at(-1) as number,
      };
    }
  }
  return out;
}

export const totalGas = (txs: MinedTx[]) => txs.reduce((sum, tx) => sum + tx.gasUsed, 0);

/** The escrow's view of a channel: [balance, totalClaimed]. */
export async function channelOnChain(publicClient: PublicClient, channelId: Hex) {
  const [balance, totalClaimed] = await publicClient.readContract({
    address: canonicalEscrowAddresses.batchSettlement as Hex,
    abi: x402BatchSettlementAbi,
    functionName: "channels",
    args: [channelId],
  });
  return { balance, totalClaimed };
}
