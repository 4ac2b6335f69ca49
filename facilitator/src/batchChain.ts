import {
  assertEscrowDeployed,
  type ChainInfo,
  findAuthorizationUse,
  receiveWithAuthorizationTypes,
  x402BatchSettlementAbi,
} from "@wg402/shared";
import type { SettleResponse } from "@x402/core/types";
import { BATCH_SETTLEMENT_ADDRESS, ERC3009_DEPOSIT_COLLECTOR_ADDRESS } from "@x402/evm";
import {
  getAddress,
  type Hex,
  isAddressEqual,
  parseErc6492Signature,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import { type BatchOperation, channelIdOf } from "./batchIdentity.ts";
import type { BatchSettlementPayload, DepositPayload } from "./batchPayload.ts";
import type { NetworkBackend } from "./chainLookups.ts";

// What the batch-settlement path asks the chain itself, beside the SDK: whether the escrow is there, channel and
// receiver state, whether an operation already happened, and the answer a landed transaction deserves.

const escrow = getAddress(BATCH_SETTLEMENT_ADDRESS);

/** Refuses to offer batch-settlement on a network without the escrow's code (see shared/escrowCode.ts). */
export const assertEscrowOn = (backend: NetworkBackend, chain: ChainInfo) =>
  assertEscrowDeployed(
    backend.publicClient,
    chain,
    "deploy the escrow there, or leave batch-settlement off that network (FACILITATOR_SCHEMES=exact)",
  );

export type ChannelState = { balance: bigint; totalClaimed: bigint; withdrawRequestedAt: number; refundNonce: bigint };

export async function readChannelState(backend: NetworkBackend, channelId: Hex): Promise<ChannelState> {
  const read = <T>(functionName: "channels" | "pendingWithdrawals" | "refundNonce") =>
    backend.publicClient.readContract({
      address: escrow,
      abi: x402BatchSettlementAbi,
      functionName,
      args: [channelId],
    }) as Promise<T>;
  const [[balance, totalClaimed], [, initiatedAt], refundNonce] = await Promise.all([
    read<readonly [bigint, bigint]>("channels"),
    read<readonly [bigint, number]>("pendingWithdrawals"),
    read<bigint>("refundNonce"),
  ]);
  return { balance, totalClaimed, withdrawRequestedAt: Number(initiatedAt), refundNonce };
}

/** The snapshot the scheme's answers carry under `extra.channelState`, as the SDK's facilitator writes it. */
export function channelStateExtra(channelId: Hex, state: ChannelState) {
  return {
    channelId,
    balance: state.balance.toString(),
    totalClaimed: state.totalClaimed.toString(),
    withdrawRequestedAt: state.withdrawRequestedAt,
    refundNonce: state.refundNonce.toString(),
  };
}

/** What the escrow holds claimed for `receiver` in `token`, and how much of it was already settled. */
export async function receiverTotals(
  backend: NetworkBackend,
  receiver: Hex,
  token: Hex,
): Promise<{ claimed: bigint; settled: bigint }> {
  const [claimed, settled] = (await backend.publicClient.readContract({
    address: escrow,
    abi: x402BatchSettlementAbi,
    functionName: "receivers",
    args: [receiver, token],
  })) as readonly [bigint, bigint];
  return { claimed, settled };
}

/**
 * Whether the payer's ERC-3009 deposit signature is genuine for this deposit (`ReceiveWithAuthorization` to the
 * collector): checked before a deposit the chain already executed is taken as this one, so that a copy of its
 * public calldata with a junk signature cannot be recorded in the genuine one's place.
 */
export async function depositSignatureValid(
  backend: NetworkBackend,
  payload: DepositPayload,
  extra: { name?: unknown; version?: unknown } | null | undefined,
  nonce: Hex,
  network: string,
): Promise<boolean> {
  const authorization = payload.deposit.authorization.erc3009Authorization;
  if (!authorization || typeof extra?.name !== "string" || typeof extra.version !== "string") return false;
  try {
    return await backend.publicClient.verifyTypedData({
      address: getAddress(payload.channelConfig.payer),
      domain: {
        name: extra.name,
        version: extra.version,
        chainId: Number(network.split(":")[1]),
        verifyingContract: getAddress(payload.channelConfig.token),
      },
      types: receiveWithAuthorizationTypes,
      primaryType: "ReceiveWithAuthorization",
      message: {
        from: getAddress(payload.channelConfig.payer),
        to: getAddress(ERC3009_DEPOSIT_COLLECTOR_ADDRESS),
        value: BigInt(payload.deposit.amount),
        validAfter: BigInt(authorization.validAfter),
        validBefore: BigInt(authorization.validBefore),
        nonce,
      },
      signature: parseErc6492Signature(authorization.signature as Hex).signature,
    });
  } catch {
    return false;
  }
}

/** The transaction that spent a deposit authorization, if it deposited exactly `amount` into `channelId`. */
export async function findDepositTx(
  backend: NetworkBackend,
  ref: { asset: Hex; payer: Hex; nonce: Hex; channelId: Hex; amount: bigint; lookbackBlocks: bigint },
): Promise<Hex | undefined> {
  const receipt = await findAuthorizationUse(backend.publicClient, ref);
  if (!receipt) return undefined;
  const deposited = parseEventLogs({ abi: x402BatchSettlementAbi, logs: receipt.logs, eventName: "Deposited" }).some(
    (log) =>
      isAddressEqual(log.address, escrow) &&
      log.args.channelId.toLowerCase() === ref.channelId.toLowerCase() &&
      log.args.amount === ref.amount,
  );
  return deposited ? receipt.transactionHash : undefined;
}

/**
 * Whether a claim, refund or settle whose attempt never recorded a transaction (a crash between the ledger row and
 * the broadcast) took effect anyway: every claimed total reached, the refund nonce used, the sweep done.
 */
export async function batchOperationDone(
  backend: NetworkBackend,
  request: BatchSettlementPayload,
  nonce: string,
  network: string,
): Promise<boolean> {
  if (request.type === "claim") {
    for (const claim of request.claims) {
      const state = await readChannelState(backend, channelIdOf(claim.voucher.channel, network));
      if (state.totalClaimed < BigInt(claim.totalClaimed)) return false;
    }
    return true;
  }
  if (request.type === "refund") {
    return (await readChannelState(backend, channelIdOf(request.channelConfig, network))).refundNonce > BigInt(nonce);
  }
  if (request.type === "settle") {
    const { settled } = await receiverTotals(backend, request.receiver as Hex, request.token as Hex);
    return settled >= BigInt(nonce);
  }
  return false;
}

/**
 * The answer for a batch-settlement transaction that landed, built from its receipt and the chain (for a settlement
 * whose answer the SDK never gave: the receipt arrived after the wait, or after a restart). Same shape as the SDK's.
 */
export async function settledResponse(
  backend: NetworkBackend,
  operation: BatchOperation,
  fields: { network: string; payer: string; amount: string; channelId: string | null; payTo: string; asset: string },
  receipt: TransactionReceipt,
): Promise<SettleResponse> {
  const base = {
    success: true as const,
    transaction: receipt.transactionHash,
    network: fields.network as SettleResponse["network"],
  };
  const escrowLogs = receipt.logs.filter((log) => isAddressEqual(log.address, escrow));
  if (operation === "claim") return base;
  if (operation === "settle") {
    const settled = parseEventLogs({ abi: x402BatchSettlementAbi, logs: escrowLogs, eventName: "Settled" }).find(
      (log) =>
        isAddressEqual(log.args.receiver, fields.payTo as Hex) && isAddressEqual(log.args.token, fields.asset as Hex),
    );
    return { ...base, amount: (settled?.args.amount ?? 0n).toString() };
  }
  const channelId = fields.channelId as Hex;
  const state = await readChannelState(backend, channelId);
  if (operation === "deposit") {
    return {
      ...base,
      payer: fields.payer,
      amount: fields.amount,
      extra: { channelState: channelStateExtra(channelId, state) },
    };
  }
  const refunded = parseEventLogs({ abi: x402BatchSettlementAbi, logs: escrowLogs, eventName: "Refunded" }).find(
    (log) => log.args.channelId.toLowerCase() === channelId.toLowerCase(),
  );
  return {
    ...base,
    payer: fields.payer,
    amount: (refunded?.args.amount ?? 0n).toString(),
    extra: { channelState: channelStateExtra(channelId, state) },
  };
}
