import { findAuthorizationTransfer, isAuthorizationUsed } from "@wg402/shared";
import type { Hex, PublicClient } from "viem";
import type { PaymentRecord } from "../ledger/leaseStore.ts";
import { exactAuthorizationOf } from "./paymentKey.ts";

/** Whether a payment the ledger still calls pending did in fact settle (and with which transaction). */
export type SettlementCheck = (payment: PaymentRecord) => Promise<{ txHash: string | null; payer: string } | undefined>;

/**
 * Asks the chain. If the agent dies after the facilitator settled but before the after-settle hook ran, the
 * money moved and the lease must still be granted: the spent authorization, and its transfer to payTo, prove it.
 */
export function onChainSettlementCheck(parameters: {
  publicClient: PublicClient;
  payTo: Hex;
  lookbackBlocks?: bigint;
}): SettlementCheck {
  return async (payment) => {
    const ref = exactAuthorizationOf(payment.paymentKey);
    if (!ref) return undefined;
    if (!(await isAuthorizationUsed(parameters.publicClient, ref))) return undefined;
    const txHash = await findAuthorizationTransfer(parameters.publicClient, {
      ...ref,
      payTo: parameters.payTo,
      amount: BigInt(payment.amount),
      lookbackBlocks: parameters.lookbackBlocks ?? 10_000n,
    });
    return txHash ? { txHash, payer: ref.payer } : undefined;
  };
}
