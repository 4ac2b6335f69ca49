import { ErrorCode } from "@wg402/shared";
import { toClientEvmSigner } from "@x402/evm";
import { readChannelBalanceAndTotalClaimed } from "@x402/evm/batch-settlement/client";
import type { PaymentChain } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";
import type { LeaseClient } from "../node/leaseClient.ts";
import type { FetchLike } from "../node/nodeApi.ts";
import { readTokenBalance } from "../wallet/balances.ts";
import type { ChannelScheme } from "./channelScheme.ts";
import { channelTerms } from "./channelTerms.ts";

/** What came back from a channel at disconnect: amounts in base units, the refund's transaction. */
export type ChannelRefund =
  | {
      ok: true;
      channelId: `0x${string}`;
      refunded: bigint;
      /** What the node kept of the channel's unclaimed value: the charge it claimed in the same transaction. */
      charged: bigint;
      txHash: `0x${string}` | null;
    }
  | { ok: false; error: ClientError };

/** The node's route for the SDK's cooperative refund. */
export const CHANNEL_REFUND_PATH = "/channel/refund";

/**
 * The SDK's cooperative refund of everything above the channel's charge, on the node that backs it. What came
 * back is read as the payer's token balance before and after the refund's receipt: the settle answer carries
 * no amount, and the channel's own fields mix claimed and refunded value. A failure is data, not a throw: the
 * lease is already closed, and `wg402 channel refund` (or the node's idle refund) still returns the deposit.
 */
export async function refundChannel(p: {
  nodeUrl: string;
  channel: ChannelScheme;
  chain: PaymentChain;
  payer: `0x${string}`;
  channelId: `0x${string}`;
  fetch: FetchLike;
}): Promise<ChannelRefund> {
  try {
    const signer = toClientEvmSigner({ address: p.payer } as never, p.chain.publicClient as never);
    const [balance, claimed] = await readChannelBalanceAndTotalClaimed(signer, p.channelId);
    const before = await readTokenBalance(p.chain, p.payer);
    const settled = await p.channel.scheme.refund(`${p.nodeUrl}${CHANNEL_REFUND_PATH}`, {
      fetch: p.fetch as typeof fetch,
    });
    if (!settled.success) throw new Error(settled.errorReason ?? "the node refused the refund");
    const txHash = (settled.transaction || null) as `0x${string}` | null;
    if (txHash) await p.chain.publicClient.waitForTransactionReceipt({ hash: txHash });
    const after = await readTokenBalance(p.chain, p.payer);
    const refunded = after - before;
    return { ok: true, channelId: p.channelId, refunded, charged: balance - claimed - refunded, txHash };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new ClientError(`the channel's unused deposit was not refunded: ${message}`, {
        code: ErrorCode.channel_refund_failed,
        cause: error,
      }),
    };
  }
}

export function refundChannelless(): ChannelRefund {
  return {
    ok: false,
    error: new ClientError("this client pays by exact, not by channel: there is nothing to refund", {
      code: ErrorCode.channel_not_offered,
    }),
  };
}

/** {@link refundChannel} of a lease client's channel with its node; nothing to ask for when nothing is left. */
export async function refundClientChannel(client: LeaseClient, fetch: FetchLike): Promise<ChannelRefund> {
  const terms = client.channel ? await channelTerms(client, client.node.minMinutes) : null;
  if (!client.channel || !terms) return refundChannelless();
  // Nothing above the claims: no transaction to ask for (the node's idle refund may have come first).
  if (terms.balance <= terms.claimed) {
    return { ok: true, channelId: terms.channelId, refunded: 0n, charged: 0n, txHash: null };
  }
  return refundChannel({
    nodeUrl: client.nodeUrl,
    channel: client.channel,
    chain: client.chain,
    payer: client.account.address,
    channelId: terms.channelId,
    fetch,
  });
}
