import {
  ClientError,
  type Env,
  finalizeWithdraw,
  initiateWithdraw,
  type KnownChannel,
  knownChannels,
  type PaymentChain,
  paymentChainFor,
  readChannelOnChain,
  readTokenBalance,
  withdrawable,
} from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import type { ChannelView, WithdrawnView, WithdrawStartedView } from "../api/channelViews.ts";
import { amountView } from "./amountView.ts";
import type { WalletService } from "./walletService.ts";

export type ChannelWithdrawalsOptions = {
  env: Env;
  wallet: WalletService;
  txUrl: (network: string, hash: string | null) => string | null;
  /** The channel the running session pays on: withdrawing from it would make the node charge all time granted. */
  busyChannel: () => string | null;
};

/**
 * The payer's escape hatch, for a node that is gone: the escrow's own withdrawal, started and finished by
 * the wallet (which sends both transactions and pays their gas), through the client core's escrow calls.
 */
export class ChannelWithdrawals {
  private readonly o: ChannelWithdrawalsOptions;

  constructor(options: ChannelWithdrawalsOptions) {
    this.o = options;
  }

  /** Every channel this home has paid on with the wallet's address, as the chain has it now. */
  async list(): Promise<ChannelView[]> {
    const address = await this.o.wallet.address();
    if (!address) return [];
    const mine = (await knownChannels(this.o.env)).filter(
      (c) => c.config.payer.toLowerCase() === address.toLowerCase(),
    );
    return Promise.all(mine.map(async (c) => this.view(c, await this.chainOf(c))));
  }

  /** Starts the withdrawal of everything above the claims. */
  async start(channelId: string): Promise<WithdrawStartedView> {
    const account = this.o.wallet.requireAccount();
    const known = await this.find(channelId, account.address);
    if (this.o.busyChannel()?.toLowerCase() === known.channelId.toLowerCase()) {
      throw new ClientError("this channel pays for the running session: disconnect first, which refunds it", {
        code: ErrorCode.channel_in_use,
      });
    }
    const chain = await this.chainOf(known);
    const state = await readChannelOnChain(chain, known);
    const amount = withdrawable(state);
    if (state.withdrawal) {
      throw new ClientError("a withdrawal from this channel is already started: finalize it once its delay is over", {
        code: ErrorCode.invalid_argument,
      });
    }
    if (amount === 0n) {
      throw new ClientError("this channel holds nothing above what the node claimed: there is nothing to withdraw", {
        code: ErrorCode.invalid_argument,
      });
    }
    const txHash = await initiateWithdraw(chain, account, known, amount);
    return { channel: await this.view(known, chain), txHash, txUrl: this.o.txUrl(known.network, txHash) };
  }

  /** Completes a withdrawal whose delay has passed; the amount is what the wallet's balance rose by. */
  async finalize(channelId: string): Promise<WithdrawnView> {
    const account = this.o.wallet.requireAccount();
    const known = await this.find(channelId, account.address);
    const chain = await this.chainOf(known);
    const before = await readTokenBalance(chain, account.address);
    const txHash = await finalizeWithdraw(chain, account, known);
    const amount = (await readTokenBalance(chain, account.address)) - before;
    return {
      channelId: known.channelId,
      amount: amountView(amount, chain.token),
      txHash,
      txUrl: this.o.txUrl(known.network, txHash),
    };
  }

  private async find(channelId: string, payer: string): Promise<KnownChannel> {
    const found = (await knownChannels(this.o.env)).find(
      (c) =>
        c.channelId.toLowerCase() === channelId.toLowerCase() && c.config.payer.toLowerCase() === payer.toLowerCase(),
    );
    if (!found) {
      throw new ClientError(`this wallet has not paid on a channel ${channelId} from this app's home`, {
        code: ErrorCode.channel_unknown,
      });
    }
    return found;
  }

  private chainOf(channel: KnownChannel): Promise<PaymentChain> {
    return paymentChainFor({ network: channel.network, asset: channel.config.token }, this.o.env);
  }

  private async view(channel: KnownChannel, chain: PaymentChain): Promise<ChannelView> {
    const [state, block] = await Promise.all([readChannelOnChain(chain, channel), chain.publicClient.getBlock()]);
    const amount = (value: bigint) => amountView(value, chain.token);
    const w = state.withdrawal;
    return {
      channelId: channel.channelId,
      nodeUrl: channel.nodeUrl,
      network: channel.network,
      balance: amount(state.balance),
      claimed: amount(state.claimed),
      withdrawable: amount(withdrawable(state)),
      withdrawDelaySeconds: channel.config.withdrawDelay,
      withdrawal: w && { amount: amount(w.amount), initiatedAt: w.initiatedAt, finalizableAt: w.finalizableAt },
      chainTime: Number(block.timestamp) * 1000,
      readAt: Date.now(),
    };
  }
}
