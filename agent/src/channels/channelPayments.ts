import { BaseError, ErrorCode, type LeaseUnits } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { PaymentPayload } from "@x402/core/types";
import type { BatchSettlementEvmScheme, Channel } from "@x402/evm/batch-settlement/server";
import type { Logger } from "pino";
import type { ChannelGrant, LeaseRecord, LeaseStore } from "../ledger/leaseStore.ts";
import { type BillingTerms, finalOwed, planChannelPurchase } from "./channelBilling.ts";
import type { ChannelPaymentIdentity } from "./channelIdentity.ts";
import type { SqliteChannelStorage } from "./sqliteChannelStorage.ts";

export type ChannelPaymentsParameters = {
  store: LeaseStore;
  storage: SqliteChannelStorage;
  scheme: BatchSettlementEvmScheme;
  terms: BillingTerms;
  clock: Clock;
  log: Logger;
};

/** What settling one channel payment needs: the charge to settle, and the lease time it buys. */
export type ChannelSettlement = {
  overrides: { amount: string };
  grant: ChannelGrant;
  /** Undoes the commit hook once the settle is over, whatever its outcome. */
  done(): void;
};

const RENEW_PATH = /^\/lease\/([^/]+)\/renew$/;

/**
 * The agent's side of paying by channel, between the SDK's server scheme and the lease ledger: the amount a
 * voucher must add (so its ceiling covers the time bought), the charge taken within it (the seconds used),
 * which channel may pay for which lease, and the final charge of a lease that ended.
 */
export class ChannelPayments {
  private readonly p: ChannelPaymentsParameters;

  constructor(parameters: ChannelPaymentsParameters) {
    this.p = parameters;
  }

  /** The amount the 402's `batch-settlement` offer asks a voucher to add, for the route at `path`. */
  quote(path: string, units: LeaseUnits): bigint {
    return this.plan(RENEW_PATH.exec(path)?.[1], units, undefined).quote;
  }

  /**
   * Refuses, before anything is verified or reserved, a payment that may not buy this purchase: an `exact`
   * renewal of a channel's lease (the channel bills it by the second), a lease's renewal by another channel,
   * a second lease on a channel that already pays for one, and any time on a channel whose payer started a
   * withdrawal.
   */
  async check(identity: ChannelPaymentIdentity | undefined, leaseId: string | undefined): Promise<void> {
    const bound = leaseId === undefined ? undefined : this.p.store.getLease(leaseId)?.channel?.id;
    if (bound !== undefined && bound !== identity?.channelId) {
      throw new BaseError(
        `this lease is paid by escrow channel ${bound}; renew it with a voucher on that channel (scheme batch-settlement)`,
        { code: ErrorCode.channel_mismatch },
      );
    }
    if (!identity) return;
    // One lease at a time per channel: each lease's bill is the channel's charge since the lease began.
    // A lease that just ended may still await its final charge: charge it, then look again.
    if (leaseId === undefined && this.inUse(identity.channelId)) await this.billEnded();
    if (leaseId === undefined && this.inUse(identity.channelId)) {
      throw new BaseError("this channel already pays for a running lease; close it first, or renew that one", {
        code: ErrorCode.channel_in_use,
      });
    }
    const channel = this.p.storage.read(identity.channelId);
    if (channel && channel.withdrawRequestedAt > 0) {
      throw new BaseError("this channel's payer started a withdrawal; the node sells no more time on it", {
        code: ErrorCode.channel_closing,
      });
    }
  }

  /**
   * Prepares the settle of a verified channel payment: the charge (the seconds used since the last one) and
   * the lease time the raised ceiling covers. A positive charge commits in the same transaction as the time
   * it pays for; a zero charge moves no money, so the time is granted after the settle returns.
   */
  prepareSettle(input: {
    identity: ChannelPaymentIdentity;
    payload: PaymentPayload;
    leaseId: string | undefined;
    units: LeaseUnits;
    grantNow: (grant: ChannelGrant) => boolean;
  }): ChannelSettlement {
    const { identity } = input;
    // Verification may have just learnt of a withdrawal from the chain (the SDK stores it on the channel).
    if ((this.p.storage.read(identity.channelId)?.withdrawRequestedAt ?? 0) > 0) {
      throw new BaseError("this channel's payer started a withdrawal; the node sells no more time on it", {
        code: ErrorCode.channel_closing,
      });
    }
    const plan = this.plan(input.leaseId, input.units, identity.channelId);
    if (plan.ceiling > identity.maxClaimable) {
      throw new BaseError("the voucher's ceiling does not cover the time it asks for; sign one for the quoted amount", {
        code: ErrorCode.payment_failed,
      });
    }
    const grant: ChannelGrant = {
      expiresAt: plan.expiresAt,
      bytesAllowed: plan.bytesAllowed,
      channel: { id: identity.channelId, t0: plan.t0, b0: plan.b0, c0: plan.c0 },
      // What was bought at the node's prices: the most it can cost, as `exact` would have charged.
      authorized: plan.bought,
    };
    const pendingId = this.p.scheme.readRequestContext(input.payload)?.pendingId;
    if (plan.charge > 0n) {
      if (!pendingId) throw new Error("a verified channel payment without its SDK reservation");
      this.p.storage.expectCommit(pendingId, plan.charge, (channel: Channel) => {
        if (BigInt(channel.signedMaxClaimable) < plan.ceiling) throw new Error("the committed ceiling does not cover");
        if (!input.grantNow(grant)) throw new Error("the lease took no time for this charge");
      });
    }
    return {
      overrides: { amount: plan.charge.toString() },
      grant,
      done: () => {
        if (pendingId) this.p.storage.forget(pendingId);
      },
    };
  }

  /** Whether a lease on the channel still runs (or awaits its final charge): its deposit must stay. */
  inUse(channelId: string): boolean {
    return this.p.store.channelLeases.inUse(channelId.toLowerCase());
  }

  /**
   * Charges ended leases their last seconds, up to their close or their expiry. A client that vanished is
   * thereby charged for the time it was granted, which its last ceiling covers. A channel busy with a request
   * is charged on a later pass.
   */
  async billEnded(): Promise<number> {
    let billed = 0;
    for (const lease of this.p.store.channelLeases.unbilled()) {
      const owed = this.owedAtEnd(lease, lease.endedAt ?? lease.expiresAt);
      if (owed === undefined || !lease.channel) continue;
      const done = await this.chargeUpTo(lease.channel.id, owed, () =>
        this.p.store.channelLeases.markBilled(lease.id, this.p.clock.now()),
      );
      if (done) billed++;
    }
    return billed;
  }

  /**
   * The payer started a withdrawal: its channel's lease is charged all the time it was granted (its ceiling
   * covers that), so the claim that follows takes everything the node is owed before the withdrawal can finish.
   */
  async chargeGranted(channelId: string): Promise<void> {
    const lease = this.p.store.channelLeases.latest(channelId);
    if (!lease?.channel || lease.channel.id !== channelId.toLowerCase()) return;
    // All granted: every second to its expiry, every byte of its allowance.
    const granted = {
      ...lease,
      bytesUp: Math.max(lease.bytesAllowed ?? 0, lease.bytesUp + lease.bytesDown),
      bytesDown: 0,
    };
    await this.chargeUpTo(channelId, this.owedAtEnd(granted, lease.expiresAt) ?? 0n);
  }

  /**
   * What a lease on a channel cost it, for the usage receipt: the lease's own charge (from when the channel
   * began paying for it to its close or expiry) and the channel's charge after it. Undefined for `exact`.
   */
  receiptOf(leaseId: string): { channelId: string; charged: string; chargedTotal: string } | undefined {
    const lease = this.p.store.getLease(leaseId);
    const total = lease && this.owedAtEnd(lease, lease.endedAt ?? lease.expiresAt);
    if (!lease?.channel || total === undefined) return undefined;
    const charged = total > lease.channel.opening ? total - lease.channel.opening : 0n;
    return { channelId: lease.channel.id, charged: charged.toString(), chargedTotal: total.toString() };
  }

  /** Raises the channel's charge to `owed` (never above its ceiling); false while a request holds the channel. */
  private async chargeUpTo(channelId: string, owed: bigint, alongside?: () => void): Promise<boolean> {
    const now = Date.now(); // the SDK dates its reservations by the wall clock
    let done = false;
    await this.p.storage.updateChannel(channelId, (current) => {
      if (!current || (current.pendingRequest && current.pendingRequest.expiresAt > now)) return current;
      alongside?.();
      done = true;
      const ceiling = BigInt(current.signedMaxClaimable);
      const target = owed < ceiling ? owed : ceiling;
      if (BigInt(current.chargedCumulativeAmount) >= target) return current;
      this.p.log.info({ channel: channelId, charged: target.toString() }, "channel charged for time served");
      return { ...current, chargedCumulativeAmount: target.toString() };
    });
    return done;
  }

  /** What a lease on a channel owes it once ended at `endedAt`; undefined for a lease paid by `exact`. */
  private owedAtEnd(lease: LeaseRecord, endedAt: number): bigint | undefined {
    if (!lease.channel) return undefined;
    return finalOwed(
      this.p.terms,
      { ...lease, channel: lease.channel, bytesUsed: lease.bytesUp + lease.bytesDown },
      endedAt,
    );
  }

  private plan(leaseId: string | undefined, units: LeaseUnits, channelId: string | undefined) {
    const lease = leaseId === undefined ? undefined : this.p.store.getLease(leaseId);
    const billedBy = lease?.channel?.id ?? channelId;
    const channel = billedBy === undefined ? undefined : this.p.storage.read(billedBy);
    return planChannelPurchase({
      terms: this.p.terms,
      now: this.p.clock.now(),
      units,
      charged: BigInt(channel?.chargedCumulativeAmount ?? "0"),
      lease: lease && lease.state !== "pending" ? { ...lease, bytesUsed: lease.bytesUp + lease.bytesDown } : undefined,
    });
  }
}
