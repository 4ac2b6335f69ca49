import { findAuthorizationTransfer, isAuthorizationUsed } from "@wg402/shared";
import type { PaymentPayload, PaymentRequirements, SettleResponse } from "@x402/core/types";
import type { Hex, PublicClient } from "viem";
import type { PaymentRecord } from "../ledger/records.ts";
import { isDefinitiveFailure } from "./settlementOutcome.ts";

export type PaymentResolution =
  | { kind: "settled"; txHash: string | null; payer: string }
  | { kind: "failed"; reason: string }
  | { kind: "open"; reason: string };

/** Decides an open payment (pending after a crash, or unknown) from the chain. */
export type PaymentResolver = (payment: PaymentRecord, options?: { settle?: boolean }) => Promise<PaymentResolution>;

export type PaymentResolverParameters = {
  publicClient: PublicClient;
  payTo: Hex;
  now: () => number;
  /** Asks the facilitator to finish settling a payment whose authorization is still spendable. */
  settleAgain?: (payload: PaymentPayload, requirements: PaymentRequirements) => Promise<SettleResponse>;
  lookbackBlocks?: bigint;
  /**
   * How far past `validBefore` the wall clock must be before an unspent authorization counts as dead. Blocks
   * carry their own timestamps; this covers a chain whose clock runs behind ours.
   */
  expiryMarginMs?: number;
};

/**
 * The chain is the only witness of an EIP-3009 payment: a spent authorization with its transfer to payTo
 * means the money moved (grant the time); an unspent one past its `validBefore` can never move (release
 * the reservation, and only now say nothing was charged); an unspent, still valid one is settled again
 * through the facilitator, which is idempotent per payment.
 */
export function createPaymentResolver(p: PaymentResolverParameters): PaymentResolver {
  const margin = p.expiryMarginMs ?? 30_000;
  return async (payment, options = {}) => {
    const ref = { asset: payment.asset as Hex, payer: payment.payer as Hex, nonce: payment.nonce as Hex };
    let used: boolean;
    try {
      used = await isAuthorizationUsed(p.publicClient, ref);
    } catch (error) {
      return { kind: "open", reason: `chain unreachable: ${firstLine(error)}` };
    }
    if (used) {
      const txHash = await findAuthorizationTransfer(p.publicClient, {
        ...ref,
        payTo: p.payTo,
        amount: BigInt(payment.amount),
        lookbackBlocks: p.lookbackBlocks ?? 10_000n,
      }).catch(() => null);
      if (txHash === null) return { kind: "open", reason: "chain unreachable while reading the transfer" };
      if (txHash) return { kind: "settled", txHash, payer: payment.payer };
      // The payer spent or cancelled this nonce some other way: it never paid this node.
      return { kind: "failed", reason: "authorization_used_elsewhere" };
    }
    if (p.now() > payment.validBefore * 1000 + margin) return { kind: "failed", reason: "authorization_expired" };
    if (options.settle === false || !p.settleAgain || !payment.payload || !payment.requirements) {
      return { kind: "open", reason: "authorization not yet spent" };
    }
    try {
      const result = await p.settleAgain(
        JSON.parse(payment.payload) as PaymentPayload,
        JSON.parse(payment.requirements) as PaymentRequirements,
      );
      if (result.success) return { kind: "settled", txHash: result.transaction || null, payer: payment.payer };
      const reason = result.errorReason ?? "unknown";
      return isDefinitiveFailure(reason) ? { kind: "failed", reason } : { kind: "open", reason };
    } catch (error) {
      const reason = (error as { errorReason?: string }).errorReason;
      if (isDefinitiveFailure(reason)) return { kind: "failed", reason: reason as string };
      return { kind: "open", reason: `settle unanswered: ${firstLine(error)}` };
    }
  };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
