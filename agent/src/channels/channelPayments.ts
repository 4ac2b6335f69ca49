import { BaseError, ErrorCode, type LeaseUnits } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { PaymentPayload } from "@x402/core/types";
import type { BatchSettlementEvmScheme, Channel } from "@x402/evm/batch-settlement/server";
import type { Logger } from "pino";
import type { ChannelGrant, LeaseRecord, LeaseStore } from "../ledger/leaseStore.ts";
import { leaseFromRow } from "../ledger/records.ts";
import { type BillingTerms, finalOwed, planChannelPurchase } from "./channelBilling.ts";
import type { ChannelPaymentIdentity } from "./channelIdentity.ts";
import { type AgentChannelStore, type ChannelHolds, localHolds } from "./channelStore.ts";

export type ChannelPaymentsParameters = {
  store: LeaseStore;
  storage: AgentChannelStore;
  scheme: BatchSettlementEvmScheme;
  terms: BillingTerms;
  clock: Clock;
  log: Logger;
  /** Which node serves which channel, fleet-wide (a single node: {@link localHolds}). */
  holds?: ChannelHolds;
  /**
   * How long a hold outlives the paid time of the lease it covers: the lease's grace plus the time a payment
   * may take, so a node that died keeps its channel until its lease can no longer run (see holdTtl).
   */
  holdSlackMs?: number;
};

/** What settling one channel payment needs: the charge to settle, and the lease time it buys. */
export type ChannelSettlement = {
  overrides: { amount: string };
  grant: ChannelGrant;
  /** Undoes the commit hook once the settle is over, whatever its outcome. */
  done(): void;
};

const RENEW_PATH = /^\/lease\/([^/]+)\/renew$/;

/** Leases on a channel that run, or ended without their final charge: the ones whose channel must stay held. */
const leasesOwingChannels = (store: LeaseStore): LeaseRecord[] =>
  store.sharedLedger
    .stmt("SELECT * FROM leases WHERE channel_id IS NOT NULL AND channel_billed_at IS NULL")
    .all()
    .map(leaseFromRow);

/**
 * The agent's side of paying by channel, between the SDK's server scheme and the lease ledger: the amount a
 * voucher must add (so its ceiling covers the time bought), the charge taken within it (the seconds used),
 * which channel may pay for which lease, and the final charge of a lease that ended.
 */
export class ChannelPayments {
  private readonly p: ChannelPaymentsParameters;
  private readonly holds: ChannelHolds;
  private readonly slackMs: number;
  /** Holds taken for a purchase that has not granted yet: the sweep must not give them up meanwhile. */
  private readonly taking = new Map<string, number>();

  constructor(parameters: ChannelPaymentsParameters) {
    this.p = parameters;
    this.holds = parameters.holds ?? localHolds;
    this.slackMs = parameters.holdSlackMs ?? 180_000;
  }

  /**
   * The amount the 402's `batch-settlement` offer asks a voucher to add, for the route at `path`. With the
   * store unreachable it prices as if the channel were new: the 402 (and `exact` in it) must still be
   * offered, and the channel payment itself is refused by {@link check} before anything is reserved.
   */
  async quote(path: string, units: LeaseUnits): Promise<bigint> {
    const leaseId = RENEW_PATH.exec(path)?.[1];
    const lease = leaseId === undefined ? undefined : this.p.store.getLease(leaseId);
    const channel = lease?.channel ? await this.p.storage.get(lease.channel.id).catch(() => undefined) : undefined;
    return this.plan(leaseId, units, channel).quote;
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
    const channel = await this.p.storage.get(identity.channelId);
    // Fleet-wide too: another node of the operator may be serving this channel. Taken before anything is
    // reserved, so of two nodes asked at once exactly one goes on. A renewal re-takes its own hold: one lost
    // while this node was down (and taken by another node) refuses the renewal rather than bill twice.
    const id = identity.channelId.toLowerCase();
    const lease = leaseId === undefined ? undefined : this.p.store.getLease(leaseId);
    this.taking.set(id, this.p.clock.now());
    if (!(await this.holds.take(id, this.holdTtl(lease?.expiresAt)))) {
      this.taking.delete(id);
      throw new BaseError(
        "another node of this operator is serving this channel; close that lease first, or renew it there",
        { code: ErrorCode.channel_in_use },
      );
    }
    if (channel && channel.withdrawRequestedAt > 0) {
      throw new BaseError("this channel's payer started a withdrawal; the node sells no more time on it", {
        code: ErrorCode.channel_closing,
      });
    }
  }

  /**
   * Prepares the settle of a verified channel payment: the charge (the seconds used since the last one) and
   * the lease time the raised ceiling covers. On SQLite a positive charge commits in the same transaction as
   * the time it pays for; otherwise (Redis, or a zero charge) the time is granted after the settle returns.
   */
  prepareSettle(input: {
    identity: ChannelPaymentIdentity;
    payload: PaymentPayload;
    leaseId: string | undefined;
    units: LeaseUnits;
    grantNow: (grant: ChannelGrant) => boolean;
  }): ChannelSettlement {
    const { identity } = input;
    // The channel as this request's verification reserved it: while the reservation holds, no request on
    // any node moves its charge, so the plan and the settle's commit see the same charge.
    const reserved = this.reservedChannel(input.payload, identity.channelId);
    if (!reserved) throw new Error("a verified channel payment without its SDK reservation");
    // Verification may have just learnt of a withdrawal from the chain (the SDK stores it on the channel).
    if (reserved.withdrawRequestedAt > 0) {
      throw new BaseError("this channel's payer started a withdrawal; the node sells no more time on it", {
        code: ErrorCode.channel_closing,
      });
    }
    const plan = this.plan(input.leaseId, input.units, reserved);
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
    // SQLite: a positive charge commits in the transaction that grants its time. Redis cannot share that
    // transaction, so there the charge commits first and the time is granted once the settle returns: a
    // charge only ever covers seconds and bytes already served within the lease's recorded expiry (plan.charge
    // is what is owed up to now), so a crash in between takes no money for nothing, and the final bill, from
    // the local lease, never charges those seconds twice (charges only rise to what is owed).
    if (plan.charge > 0n && this.p.storage.atomicGrant) {
      if (!pendingId) throw new Error("a verified channel payment without its SDK reservation");
      this.p.storage.expectCommit(pendingId, plan.charge, (channel: Channel) => {
        if (BigInt(channel.signedMaxClaimable) < plan.ceiling) throw new Error("the committed ceiling does not cover");
        if (!input.grantNow(grant)) throw new Error("the lease took no time for this charge");
      });
    }
    const id = identity.channelId.toLowerCase();
    return {
      overrides: { amount: plan.charge.toString() },
      grant,
      done: () => {
        if (pendingId) this.p.storage.forget(pendingId);
        // The hold now covers the time just bought (the sweep does it too, should this fail).
        this.holds
          .take(id, this.holdTtl(grant.expiresAt))
          .catch((err: unknown) => this.p.log.warn({ err, channel: id }, "channel hold not extended"))
          .finally(() => this.taking.delete(id));
      },
    };
  }

  /** How long a hold must last for a lease paid up to `expiresAt`: until it can no longer run, and then some. */
  private holdTtl(expiresAt: number | undefined): number {
    const left = expiresAt === undefined ? 0 : Math.max(0, expiresAt - this.p.clock.now());
    return left + this.slackMs;
  }

  private reservedChannel(payload: PaymentPayload, channelId: string): Channel | undefined {
    const context = this.p.scheme.readRequestContext(payload) as { channelSnapshot?: Channel } | undefined;
    const snapshot = context?.channelSnapshot;
    return snapshot && snapshot.channelId.toLowerCase() === channelId.toLowerCase() ? snapshot : undefined;
  }

  /**
   * Keeps this node's holds in line with its ledger, on every sweep: extended while a lease on the channel
   * runs or awaits its final charge, given up once none does (and no purchase is taking it).
   */
  async refreshHolds(): Promise<void> {
    const now = this.p.clock.now();
    for (const [id, since] of this.taking) if (now - since > this.slackMs) this.taking.delete(id);
    const mine = new Set(await this.holds.mine());
    for (const lease of leasesOwingChannels(this.p.store)) {
      const id = lease.channel?.id;
      if (!id) continue;
      mine.delete(id);
      if (!(await this.holds.take(id, this.holdTtl(lease.expiresAt)))) {
        this.p.log.error({ channel: id, lease: lease.id }, "another node took the channel of a lease this node runs");
      }
      // The fleet's settler saw a withdrawal this node's lease must be charged for before the claim.
      if (this.holds !== localHolds && ((await this.p.storage.get(id))?.withdrawRequestedAt ?? 0) > 0) {
        await this.chargeGranted(id);
      }
    }
    for (const id of mine) if (!this.taking.has(id) && !this.inUse(id)) await this.holds.release(id);
  }

  /** Whether any node of the fleet serves the channel (or owes it a final charge): its deposit must stay. */
  async busy(channelId: string): Promise<boolean> {
    return this.inUse(channelId) || (await this.holds.heldElsewhere(channelId.toLowerCase()));
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
      // Marked billed only once the charge committed: a crash in between bills it again, which charges
      // nothing more (a charge only rises to what is owed). A store that is down bills on a later pass.
      try {
        if (!(await this.chargeUpTo(lease.channel.id, owed))) continue;
      } catch (error) {
        if (error instanceof BaseError && error.code === ErrorCode.channel_store_unavailable) break;
        throw error;
      }
      this.p.store.channelLeases.markBilled(lease.id, this.p.clock.now());
      billed++;
      if (!this.inUse(lease.channel.id) && !this.taking.has(lease.channel.id)) {
        await this.holds.release(lease.channel.id);
      }
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
  private async chargeUpTo(channelId: string, owed: bigint): Promise<boolean> {
    const now = Date.now(); // the SDK dates its reservations by the wall clock
    let done = false;
    // The callback may run more than once (Redis retries a compare-and-set): it decides afresh each time.
    await this.p.storage.updateChannel(channelId, (current) => {
      done = false;
      if (!current || (current.pendingRequest && current.pendingRequest.expiresAt > now)) return current;
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

  private plan(leaseId: string | undefined, units: LeaseUnits, channel: Channel | undefined) {
    const lease = leaseId === undefined ? undefined : this.p.store.getLease(leaseId);
    return planChannelPurchase({
      terms: this.p.terms,
      now: this.p.clock.now(),
      units,
      charged: BigInt(channel?.chargedCumulativeAmount ?? "0"),
      lease: lease && lease.state !== "pending" ? { ...lease, bytesUsed: lease.bytesUp + lease.bytesDown } : undefined,
    });
  }
}
