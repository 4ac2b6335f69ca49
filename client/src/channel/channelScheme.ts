import { ErrorCode } from "@wg402/shared";
import type { PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import {
  type BatchSettlementDepositStrategyContext,
  BatchSettlementEvmScheme,
  type ClientChannelStorage,
  computeChannelId,
  parseAnnouncedMinDeposit,
  readChannelBalanceAndTotalClaimed,
} from "@x402/evm/batch-settlement/client";
import type { LocalAccount } from "viem";
import type { PaymentChain } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";

/** The deposit a channel needs for a payment: the session's cap, at least the node's minimum and the voucher. */
export function depositFor(p: { target: bigint | null; needed: bigint; announcedMin: bigint | undefined }): bigint {
  let deposit = p.target ?? p.needed;
  if (p.announcedMin !== undefined && deposit < p.announcedMin) deposit = p.announcedMin;
  if (deposit < p.needed) deposit = p.needed;
  return deposit;
}

export type ChannelSchemeOptions = {
  account: LocalAccount;
  chain: PaymentChain;
  storage: ClientChannelStorage;
  /** The deposit to make when one is needed: the session's spend cap; null means just what the voucher needs. */
  depositTarget: () => bigint | null;
  /** The wallet's token balance, read before a deposit is signed. */
  balance: () => Promise<bigint>;
};

/** The scheme and what its deposit strategy decided during the payment being built. */
export type ChannelScheme = {
  scheme: BatchSettlementEvmScheme;
  storage: ClientChannelStorage;
  /** The deposit signed in the last payment, once (null when the channel already held enough). */
  takeDeposit: () => { amount: bigint; channelId: `0x${string}` } | null;
  /** The strategy's refusal in the last payment, once: the SDK keeps only its message. */
  takeRefusal: () => ClientError | null;
};

/**
 * The SDK's batch-settlement client, sized the wg402 way: one deposit of the session's cap (floored at the
 * node's announced minimum) instead of the SDK's multiple of one payment, checked against the balance first.
 * Refusals are thrown as ClientErrors; the payer keeps them, the SDK only wraps them.
 */
export function createChannelScheme(options: ChannelSchemeOptions): ChannelScheme {
  let deposit: { amount: bigint; channelId: `0x${string}` } | null = null;
  let refusal: ClientError | null = null;
  const refuse = (error: ClientError): never => {
    refusal = error;
    throw error;
  };
  const signer = toClientEvmSigner(options.account, options.chain.publicClient as never);
  const depositStrategy = async (context: BatchSettlementDepositStrategyContext) => {
    // The record can be older than the chain: a deposit landed whose answer was lost (the node died before it
    // answered). The escrow is the truth; a channel that already covers the voucher needs no second deposit.
    const [onChain] = await readChannelBalanceAndTotalClaimed(signer, context.channelId);
    if (onChain >= BigInt(context.maxClaimableAmount)) {
      await options.storage.set(context.channelId.toLowerCase(), {
        ...context.clientContext,
        balance: onChain.toString(),
      });
      return false as const;
    }
    const needed = BigInt(context.minimumDepositAmount);
    const target = options.depositTarget();
    const amount = depositFor({
      target,
      needed,
      announcedMin: parseAnnouncedMinDeposit(context.paymentRequirements.extra?.minDeposit, 0n),
    });
    if (target !== null && needed > target) {
      refuse(
        new ClientError("this payment needs a deposit above the session's spend cap; nothing was signed", {
          code: ErrorCode.spend_cap_exceeded,
          details: { needed: needed.toString(), cap: target.toString() },
        }),
      );
    }
    // A wallet holding less than the cap deposits what it holds: the cap still bounds the spend.
    const balance = await options.balance();
    if (balance < needed) {
      refuse(
        new ClientError(
          `insufficient balance: the channel needs a deposit of ${needed} base units but the wallet holds ${balance}`,
          { code: ErrorCode.insufficient_balance, details: { balance: balance.toString(), needed: needed.toString() } },
        ),
      );
    }
    let take = amount;
    if (take > balance) take = balance;
    deposit = { amount: take, channelId: context.channelId };
    return deposit.amount;
  };
  const scheme = new BatchSettlementEvmScheme(signer, {
    storage: options.storage,
    depositStrategy,
  });
  const take = <T>(read: () => T, clear: () => void): T => {
    const value = read();
    clear();
    return value;
  };
  return {
    scheme,
    storage: options.storage,
    takeDeposit: () =>
      take(
        () => deposit,
        () => (deposit = null),
      ),
    takeRefusal: () =>
      take(
        () => refusal,
        () => (refusal = null),
      ),
  };
}

/** What the SDK will sign the next voucher above: the channel's charge as its record has it (0 without one). */
export async function chargedOn(channel: ChannelScheme, requirement: PaymentRequirements): Promise<bigint> {
  const id = computeChannelId(channel.scheme.buildChannelConfig(requirement), requirement.network);
  const record = await channel.storage.get(id.toLowerCase());
  return BigInt(record?.chargedCumulativeAmount ?? "0");
}
