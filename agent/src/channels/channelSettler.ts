import type { Clock } from "@wg402/shared/runtime";
import type { BatchSettlementChannelManager, Channel } from "@x402/evm/batch-settlement/server";
import type { Logger } from "pino";
import type { LeaseStore } from "../ledger/leaseStore.ts";
import type { AgentMetrics } from "../metrics.ts";
import type { ChannelPayments } from "./channelPayments.ts";
import type { AgentChannelStore } from "./channelStore.ts";

/** The chain as the settler reads it: when a channel's withdrawal was initiated (unix seconds; 0 for none). */
export type ChannelChain = {
  withdrawInitiatedAt(channelId: `0x${string}`): Promise<number>;
  /** Gas a transaction used, for metrics; undefined when its receipt cannot be read. */
  gasUsed(tx: string): Promise<bigint | undefined>;
};

export type ClaimPolicy = {
  /** Claim once this much is charged and unclaimed, summed over every channel. */
  threshold: bigint;
  maxClaimsPerBatch: number;
  /** A channel without a request for this long, and no lease still running on it, is refunded. */
  refundIdleMs: number;
};

export type ChannelSettlerParameters = {
  manager: Pick<BatchSettlementChannelManager, "claim" | "settle" | "refund">;
  storage: AgentChannelStore;
  store: LeaseStore;
  payments: ChannelPayments;
  chain: ChannelChain;
  policy: ClaimPolicy;
  clock: Clock;
  metrics: AgentMetrics;
  log: Logger;
  /**
   * In a fleet, whether this node is the settler now (fleet/fleetHolds.ts `SettlerTurn`): only one node
   * claims, settles, refunds and watches withdrawals at a time. Absent: always (a single node).
   */
  turn?: () => Promise<boolean>;
};

const unclaimedOf = (c: Channel) => BigInt(c.chargedCumulativeAmount) - BigInt(c.totalClaimed);

/**
 * Turns the vouchers the node holds into money, through the SDK's channel manager: claims in batches above
 * a threshold, settles what was claimed, refunds idle channels' unused deposits, and claims at once on a
 * channel whose payer started a withdrawal. Each pass is one method, run on its interval by `buildAgent`.
 */
export class ChannelSettler {
  private readonly p: ChannelSettlerParameters;
  private claimedSinceSettle = true; // after a restart, one settle is due in case a claim preceded the crash

  constructor(parameters: ChannelSettlerParameters) {
    this.p = parameters;
  }

  /** Claims every claimable voucher once the unclaimed total reaches the threshold. Returns vouchers claimed. */
  async claim(options: { force?: boolean; only?: Set<string> } = {}): Promise<number> {
    if (!(await this.myTurn())) return 0;
    const channels = await this.p.storage.list();
    this.observe(channels);
    const unclaimed = channels.reduce((sum, c) => sum + unclaimedOf(c), 0n);
    if (unclaimed <= 0n || (!options.force && unclaimed < this.p.policy.threshold)) return 0;
    const only = options.only;
    let results: Awaited<ReturnType<typeof this.p.manager.claim>>;
    try {
      results = await this.p.manager.claim({
        maxClaimsPerBatch: this.p.policy.maxClaimsPerBatch,
        ...(only
          ? { selectClaimChannels: (all: Channel[]) => all.filter((c) => only.has(c.channelId.toLowerCase())) }
          : {}),
      });
    } catch (error) {
      this.p.metrics.channelOperations.inc({ operation: "claim", outcome: "failed" });
      throw error;
    }
    let vouchers = 0;
    for (const result of results) {
      vouchers += result.vouchers;
      this.p.metrics.channelOperations.inc({ operation: "claim", outcome: "ok" });
      await this.countGas("claim", result.transaction);
      this.p.log.info({ vouchers: result.vouchers, tx: result.transaction }, "vouchers claimed");
    }
    if (vouchers > 0) this.claimedSinceSettle = true;
    this.observe(await this.p.storage.list());
    return vouchers;
  }

  /** Moves claimed funds to the node's receiver, if anything was claimed since the last settle. */
  async settle(): Promise<string | undefined> {
    if (!this.claimedSinceSettle || !(await this.myTurn())) return undefined;
    const result = await this.p.manager.settle();
    this.claimedSinceSettle = false;
    this.p.metrics.channelOperations.inc({ operation: "settle", outcome: "ok" });
    await this.countGas("settle", result.transaction);
    return result.transaction;
  }

  /**
   * Gives idle channels their unused deposit back. A channel whose lease still runs (or whose final seconds
   * are not charged yet) is never refunded: the time granted must stay covered.
   */
  async refundIdle(): Promise<number> {
    await this.p.payments.billEnded();
    if (!(await this.myTurn())) return 0;
    const now = this.p.clock.now();
    const candidates = (await this.p.storage.list()).filter(
      (c) =>
        now - c.lastRequestTimestamp >= this.p.policy.refundIdleMs &&
        BigInt(c.balance) > BigInt(c.chargedCumulativeAmount) &&
        !c.pendingRequest,
    );
    // Busy on any node of a fleet (its hold): the time another node granted must stay covered too.
    const idle: Channel[] = [];
    for (const c of candidates) if (!(await this.p.payments.busy(c.channelId))) idle.push(c);
    if (idle.length === 0) return 0;
    const refunds = await this.p.manager.refund(idle.map((c) => c.channelId));
    for (const refund of refunds) {
      this.p.metrics.channelOperations.inc({ operation: "refund", outcome: "ok" });
      await this.countGas("refund", refund.transaction);
      this.p.log.info({ channel: refund.channel, tx: refund.transaction }, "idle channel refunded");
    }
    return refunds.length;
  }

  /**
   * Reads each channel's pending withdrawal from the chain. A new one stops the channel's sales (the scheme
   * refuses it from then on), charges its lease all the time it was granted, and claims that channel at once:
   * an unclaimed voucher does not hold funds against a finalized withdrawal.
   */
  async watchWithdrawals(): Promise<string[]> {
    const started: string[] = [];
    if (!(await this.myTurn())) return started;
    const owing = new Set<string>();
    for (const channel of await this.p.storage.list()) {
      // In a fleet, another node charges its lease's granted time once it sees the withdrawal: claim that too.
      if (channel.withdrawRequestedAt > 0 && unclaimedOf(channel) > 0n) owing.add(channel.channelId.toLowerCase());
      // Nothing left to protect: the escrow holds no more than was claimed.
      if (channel.withdrawRequestedAt > 0 || BigInt(channel.balance) <= BigInt(channel.totalClaimed)) continue;
      const at = await this.p.chain.withdrawInitiatedAt(channel.channelId as `0x${string}`);
      if (at === 0) continue;
      await this.p.storage.updateChannel(channel.channelId, (current) =>
        current ? { ...current, withdrawRequestedAt: at } : current,
      );
      await this.p.payments.chargeGranted(channel.channelId);
      started.push(channel.channelId.toLowerCase());
      this.p.log.warn({ channel: channel.channelId, initiatedAt: at }, "payer started a withdrawal; claiming now");
    }
    for (const id of started) owing.add(id);
    if (owing.size > 0) await this.claim({ force: true, only: owing });
    return started;
  }

  /** Updates the channel gauges from the ledger (the sweep calls it, so they never wait for a claim). */
  async refreshMetrics(): Promise<void> {
    this.observe(await this.p.storage.list());
  }

  private async myTurn(): Promise<boolean> {
    return this.p.turn ? this.p.turn() : true;
  }

  private observe(channels: Channel[]): void {
    this.p.metrics.channelsOpen.set(channels.filter((c) => BigInt(c.balance) > BigInt(c.totalClaimed)).length);
    this.p.metrics.channelUnclaimed.set(Number(channels.reduce((sum, c) => sum + unclaimedOf(c), 0n)));
  }

  private async countGas(operation: string, tx: string): Promise<void> {
    const gas = await this.p.chain.gasUsed(tx).catch(() => undefined);
    if (gas !== undefined) this.p.metrics.channelGas.inc({ operation }, Number(gas));
  }
}
