import { BaseError, ErrorCode } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import { encodePaymentResponseHeader } from "@x402/core/http";
import type { Logger } from "pino";
import { CHANNEL_SCHEME } from "../channels/channelIdentity.ts";
import type { ChannelGrant, LeaseStore, PaymentRecord } from "../ledger/leaseStore.ts";
import type { AgentMetrics } from "../metrics.ts";
import type { InflightPayments, PaidAnswer } from "../payments/inflightPayments.ts";
import type { PaymentBook } from "../payments/paidRoute.ts";
import { errorAnswer } from "../payments/paidRoute.ts";
import type { PaymentResolver } from "../payments/paymentResolver.ts";
import type { RequestPayment } from "../payments/readPaymentHeader.ts";
import type { LeaseService } from "./leaseService.ts";

export type LeasePaymentsParameters = {
  leases: LeaseService;
  store: LeaseStore;
  inflight: InflightPayments;
  resolver?: PaymentResolver;
  clock: Clock;
  metrics: AgentMetrics;
  log: Logger;
};

const unitsOf = (payment: PaymentRecord) => ({ minutes: payment.minutes, megabytes: payment.megabytes });
const reasonLabel = (reason: string) => reason.split(/[:\s(]/)[0] || "unknown";

/**
 * The ledger side of every payment: what a payment bought once it settled (and the answer its buyer was
 * given, replayed to any copy of it), what is released when it is known to have failed, and what stays
 * reserved while its outcome is unknown — until the chain decides it (at once when a copy of the request
 * arrives, and on every sweep).
 */
export class LeasePayments implements PaymentBook {
  private readonly p: LeasePaymentsParameters;

  constructor(parameters: LeasePaymentsParameters) {
    this.p = parameters;
  }

  conflict(): PaidAnswer {
    return errorAnswer(
      new BaseError("this payment is already used for a different request; sign a new payment", {
        code: ErrorCode.payment_replayed,
      }),
    );
  }

  async recorded(payment: RequestPayment, target: string): Promise<PaidAnswer | undefined> {
    const record = this.p.store.getPayment(payment.identity.key);
    if (!record || record.status === "failed") return undefined;
    if (record.status === "settled" && record.scheme === CHANNEL_SCHEME && this.ended(record.leaseId)) {
      // A deterministic voucher whose charge never moved, for the same purchase again after its lease ended:
      // a new purchase (the SDK accepts it only while the charge is unchanged), not a copy of the old one.
      this.p.store.retirePaymentKey(record.paymentKey);
      return undefined;
    }
    if (record.digest !== payment.identity.digest || record.target !== target) return this.conflict();
    if (record.status === "settled") return this.replay(record);
    if (record.scheme === CHANNEL_SCHEME) {
      // Open with no request handling it: a crash came before its charge committed, so none was taken.
      await this.failed(record.paymentKey, "channel_not_committed");
      return undefined;
    }
    return this.decide(record);
  }

  private ended(leaseId: string): boolean {
    const lease = this.p.store.getLease(leaseId);
    return lease !== undefined && (lease.state === "closed" || lease.endedAt !== null);
  }

  deliver(key: string, answer: PaidAnswer): PaidAnswer {
    if (answer.status !== 201) return answer;
    const payment = this.p.store.getPayment(key);
    if (payment?.kind !== "create" || payment.status !== "settled") return answer;
    const leaseToken = this.p.store.takeUnsentToken(payment.leaseId);
    return leaseToken ? { ...answer, body: { ...(answer.body as object), leaseToken } } : answer;
  }

  isSettled(key: string): boolean {
    return this.p.store.getPayment(key)?.status === "settled";
  }

  grant(key: string, settlement: { txHash: string | null; payer: string; grant: ChannelGrant }): boolean {
    const payment = this.p.store.getPayment(key);
    const lease = payment && this.p.store.getLease(payment.leaseId);
    if (!payment || !lease) return false;
    // A charge must buy time: a lease that ended meanwhile takes none, and the charge rolls back.
    const open =
      payment.kind === "create" ? lease.state === "pending" : lease.endedAt === null && lease.state !== "closed";
    if (!open) return false;
    return this.p.store.settlePayment(key, { ...settlement, now: this.p.clock.now() }) !== undefined;
  }

  async settled(
    key: string,
    settlement: { txHash: string | null; payer: string; headers?: Record<string, string>; grant?: ChannelGrant },
  ): Promise<PaidAnswer> {
    const activated = await this.p.leases.activate(key, settlement);
    const payment = this.p.store.getPayment(key) as PaymentRecord;
    if (!activated) return this.replay(payment);
    const headers = settlement.headers ?? {
      "PAYMENT-RESPONSE": encodePaymentResponseHeader({
        success: true,
        transaction: settlement.txHash ?? "",
        network: payment.network as `${string}:${string}`,
        payer: settlement.payer,
      }),
    };
    const answer: PaidAnswer = {
      status: payment.kind === "create" ? 201 : 200,
      headers: Object.fromEntries(Object.entries(headers).filter(([name]) => /^payment-response$/i.test(name))),
      body:
        payment.kind === "create"
          ? this.p.leases.createdAnswer(activated.lease)
          : this.p.leases.renewedAnswer(activated.lease, unitsOf(payment)),
    };
    this.p.store.recordAnswer(key, JSON.stringify(answer));
    return answer;
  }

  async failed(key: string, reason: string): Promise<void> {
    const failed = this.p.store.failPayment(key, reason, this.p.clock.now());
    if (!failed) return;
    this.p.metrics.paymentFailures.inc({ reason: reasonLabel(reason) });
    this.p.log.warn(
      { lease: failed.leaseId, kind: failed.kind, reason },
      "payment failed; its reservation is released",
    );
  }

  unknown(key: string, reason: string): PaidAnswer {
    const record = this.p.store.markUnknown(key, reason.slice(0, 200));
    this.p.metrics.paymentsUnknown.inc();
    this.p.log.warn({ lease: record?.leaseId, reason }, "settlement outcome unknown; the chain will decide");
    if (!record) throw new Error(`no payment ${key} to mark unknown`);
    return this.unknownAnswer(record);
  }

  /**
   * Decides every open payment that no request is handling: payments left pending by a crash, and those
   * whose settlement went unanswered. Returns how many are still open. `settle: false` only reads the
   * chain (start-up must not wait on a facilitator that may hang).
   */
  async resolveOpen(options: { settle?: boolean } = {}): Promise<number> {
    let open = 0;
    for (const record of this.p.store.openPayments()) {
      if (!this.p.inflight.has(record.paymentKey)) {
        const ref = { key: record.paymentKey, digest: record.digest };
        await this.p.inflight.run(ref, record.target, () => this.decide(record, options));
      }
      const now = this.p.store.getPayment(record.paymentKey)?.status;
      if (now === "pending" || now === "unknown") open++;
    }
    return open;
  }

  /**
   * Asks the chain (and, while the authorization is spendable, the facilitator), applies the answer, and
   * says it as the buyer of this payment should hear it.
   */
  private async decide(record: PaymentRecord, options: { settle?: boolean } = {}): Promise<PaidAnswer> {
    if (record.scheme === CHANNEL_SCHEME) {
      // A channel charge commits with the time it buys: an open one never charged anything.
      await this.failed(record.paymentKey, "channel_not_committed");
      return errorAnswer(
        new BaseError("the channel payment was interrupted before its charge; nothing was charged, send it again", {
          code: ErrorCode.settlement_failed,
        }),
      );
    }
    if (!this.p.resolver) return this.unknownAnswer(record);
    const resolution = await this.p.resolver(record, options);
    if (resolution.kind === "settled") {
      this.p.log.warn({ lease: record.leaseId, tx: resolution.txHash }, "an open payment settled; granting its time");
      return this.settled(record.paymentKey, { txHash: resolution.txHash, payer: resolution.payer });
    }
    if (resolution.kind === "failed") {
      await this.failed(record.paymentKey, resolution.reason);
      return errorAnswer(
        new BaseError(`the payment was never spent (${resolution.reason}); nothing was charged. Sign a new one`, {
          code: ErrorCode.settlement_failed,
        }),
      );
    }
    if (record.status === "pending") this.p.store.markUnknown(record.paymentKey, resolution.reason);
    return this.unknownAnswer(record);
  }

  private replay(record: PaymentRecord): PaidAnswer {
    if (record.answer) return JSON.parse(record.answer) as PaidAnswer;
    // Settled before answers were recorded: rebuild it from the ledger.
    const lease = this.p.store.getLease(record.leaseId);
    if (!lease) return this.conflict();
    return {
      status: record.kind === "create" ? 201 : 200,
      headers: {},
      body:
        record.kind === "create"
          ? this.p.leases.createdAnswer(lease)
          : this.p.leases.renewedAnswer(lease, unitsOf(record)),
    };
  }

  private unknownAnswer(record: PaymentRecord): PaidAnswer {
    return errorAnswer(
      new BaseError(
        "the payment was sent for settlement but its outcome is not known yet; send this same request again " +
          "(the same PAYMENT-SIGNATURE) to get the lease once the chain has decided. It will never be charged twice, " +
          `and if it is not spent by ${new Date(record.validBefore * 1000).toISOString()} it never will be`,
        { code: ErrorCode.settlement_unknown, details: { leaseId: record.leaseId } },
      ),
    );
  }
}
