import type { PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import {
  computeChannelId,
  parseAnnouncedMinDeposit,
  readChannelBalanceAndTotalClaimed,
} from "@x402/evm/batch-settlement/client";
import type { LeaseClient } from "../node/leaseClient.ts";
import { CHANNEL_SCHEME } from "../node/paymentKind.ts";
import type { KnownChannel } from "./channelIndex.ts";
import { depositFor } from "./channelScheme.ts";

/** What paying by channel commits the user to, said in the plan before anything is signed. */
export type ChannelTerms = {
  channelId: `0x${string}`;
  network: string;
  /** The channel's identity on the escrow (a withdrawal names it). */
  config: KnownChannel["config"];
  /** What the channel holds already (a reconnect reuses it) and what it was charged so far, on-chain. */
  balance: bigint;
  claimed: bigint;
  /** The deposit this session makes now: 0 when the channel already covers the first purchase. */
  deposit: bigint;
  /** The node's announced minimum deposit, if any. */
  minDeposit: bigint | null;
  /** Deposits, claims and refunds are sent, and their gas paid, by the facilitator; wg402's takes no fee. */
  gasPaidBy: "facilitator";
  facilitatorFee: bigint;
  /** How long the node has to claim after the payer starts a withdrawal (the escape hatch). */
  withdrawDelaySeconds: number | null;
  refundRule: string;
};

export const REFUND_RULE =
  "charged by the second for the time used; the unused deposit comes back at disconnect (cooperative refund), or by `wg402 channel withdraw` after the withdraw delay if the node is gone";

/**
 * The channel this client would pay on for `minutes`, read from the node's own 402 and the escrow: its id
 * (payer, node, token, salt), the node's terms, what it holds, and the deposit this session would make.
 * Signs nothing.
 */
export async function channelTerms(client: LeaseClient, minutes: number, megabytes = 0): Promise<ChannelTerms | null> {
  const channel = client.channel;
  if (!channel) return null;
  const { paymentRequired } = await client.quoteWithRequirements(minutes, megabytes);
  const requirement = paymentRequired.accepts.find((r) => r.scheme === CHANNEL_SCHEME) as
    | PaymentRequirements
    | undefined;
  if (!requirement) return null;
  const config = channel.scheme.buildChannelConfig(requirement);
  const channelId = computeChannelId(config, requirement.network);
  const signer = toClientEvmSigner(client.account, client.chain.publicClient as never);
  const [balance, claimed] = await readChannelBalanceAndTotalClaimed(signer, channelId);
  const record = await channel.storage.get(channelId.toLowerCase());
  const charged = BigInt(record?.chargedCumulativeAmount ?? claimed.toString());
  const needed = charged + BigInt(requirement.amount) - balance;
  const minDeposit = parseAnnouncedMinDeposit(requirement.extra?.minDeposit, 0n) ?? null;
  const withdrawDelay = Number(requirement.extra?.withdrawDelay);
  return {
    channelId,
    network: requirement.network,
    config: { ...config, withdrawDelay: Number(config.withdrawDelay) } as KnownChannel["config"],
    balance,
    claimed,
    deposit:
      needed <= 0n ? 0n : depositFor({ target: client.budget.cap, needed, announcedMin: minDeposit ?? undefined }),
    minDeposit,
    gasPaidBy: "facilitator",
    facilitatorFee: 0n,
    withdrawDelaySeconds: Number.isFinite(withdrawDelay) ? withdrawDelay : null,
    refundRule: REFUND_RULE,
  };
}
