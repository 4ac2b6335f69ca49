import { ErrorCode, type WireError } from "@wg402/shared";
import { type ActiveSession, amountOf, channelOfLease, paymentOf } from "./activeSession.ts";
import type { BalanceService } from "./balanceService.ts";
import type { SessionOutlet } from "./sessionOutlet.ts";
import { toWireError } from "./toWireError.ts";

/**
 * Relays the core's session events as API events, keeping what the UI shows beyond `status()` (next renewal,
 * payments, why it ended) on `active`. The unsubscribe functions go to `active.off`.
 */
export function relaySessionEvents(active: ActiveSession, out: SessionOutlet, balances: BalanceService): void {
  const { session } = active;
  const amount = (value: bigint) => amountOf(active, value);
  const txUrl = (hash: string | null) => out.txUrl(active.facts.network, hash);
  active.off.push(
    // The core's plan names the channel and what it holds; its record's charge is the base of this lease's bill.
    session.on("plan", (plan) => {
      active.plan = plan;
      const terms = plan.channel;
      const records = active.client.channel?.storage;
      if (!terms || !records) return;
      active.chargedBefore = records
        .get(terms.channelId.toLowerCase())
        .then((record) => BigInt(record?.chargedCumulativeAmount ?? terms.claimed.toString()))
        .catch(() => terms.claimed);
    }),
    // Paid and configured: the lease exists (and, with export, the config to import) before the handshake.
    session.on("leased", (e) => {
      active.lease = e.lease;
      active.leaseId = e.lease.id;
      active.startedAt = Date.parse(e.lease.createdAt);
      active.configPath = e.tunnel.handle.configPath;
      active.notes = e.tunnel.notes;
      active.payments.push(paymentOf(active, e.payment.amount, active, e.payment.txHash));
      out.publishSession();
      void channelOfLease(active, e.payment).then((channel) => {
        active.channel = channel;
        if (channel) out.publishSession();
      });
    }),
    session.on("stalled", (e) => {
      out.publish("stalled", { leaseId: e.leaseId, link: e.link });
      out.publishSession();
    }),
    session.on("recovered", (e) => {
      out.publish("recovered", { leaseId: e.leaseId, link: e.link });
      out.publishSession();
    }),
    session.on("capEnding", (e) =>
      out.publish("capEnding", {
        leaseId: e.leaseId,
        capEndsAt: e.capEndsAt,
        cap: e.cap === null ? null : amount(e.cap),
      }),
    ),
    session.on("closed", (e) => {
      active.closed = e;
    }),
    session.on("extended", () => out.publishSession()),
    session.on("scheduled", (e) => {
      active.nextRenewalAt = e.at;
      out.publish("scheduled", { leaseId: e.leaseId, at: e.at, expiresAt: e.expiresAt });
      out.publishSession();
    }),
    session.on("renewed", (e) => {
      active.payments.push(paymentOf(active, e.amount, { minutes: e.minutes, megabytes: 0 }, e.txHash));
      out.publish("renewed", {
        leaseId: e.leaseId,
        minutes: e.minutes,
        amount: amount(e.amount),
        txHash: e.txHash,
        txUrl: txUrl(e.txHash),
        expiresAt: e.expiresAt,
        renewals: e.renewals,
      });
      out.publishSession();
      void balances.read(active.facts.network).catch((error: unknown) => out.warn(toWireError(error)));
    }),
    session.on("dataRenewed", (e) => {
      active.payments.push(paymentOf(active, e.amount, { minutes: 0, megabytes: e.megabytes }, e.txHash));
      out.publish("dataRenewed", {
        leaseId: e.leaseId,
        megabytes: e.megabytes,
        amount: amount(e.amount),
        txHash: e.txHash,
        txUrl: txUrl(e.txHash),
        bytesAllowed: e.bytesAllowed,
        renewals: e.renewals,
      });
      out.publishSession();
      void balances.read(active.facts.network).catch((error: unknown) => out.warn(toWireError(error)));
    }),
    session.on("lowBalance", (e) =>
      out.publish("lowBalance", { leaseId: e.leaseId, balance: amount(e.balance), renewalsLeft: e.renewalsLeft }),
    ),
    session.on("capReached", (e) =>
      out.publish("capReached", {
        leaseId: e.leaseId,
        cap: e.cap === null ? null : amount(e.cap),
        committed: amount(e.committed),
        expiresAt: e.expiresAt,
      }),
    ),
    session.on("renewalFailed", (e) =>
      out.publish("renewalFailed", {
        leaseId: e.leaseId,
        error: wireError(e.code, e.message),
        attempt: e.attempt,
        retryInMs: e.retryInMs,
      }),
    ),
    session.on("status", () => out.publishSession()),
    session.on("expired", (e) => {
      active.ended = { cause: e.cause, at: e.expiresAt };
      active.nextRenewalAt = null;
      out.publish("expired", { leaseId: e.leaseId, cause: e.cause, expiresAt: e.expiresAt });
      out.publishSession();
    }),
    session.on("blocked", (e) => {
      out.publish("blocked", { leaseId: e.leaseId, interfaceName: e.interfaceName });
      out.publishSession();
    }),
    session.on("warning", (e) => out.warn(wireError(e.code, e.message))),
  );
}

export function unrelaySessionEvents(active: ActiveSession): void {
  for (const off of active.off.splice(0)) off();
}

/** The core's event codes are strings; anything not a known wire code is reported as internal. */
function wireError(code: string, message: string): WireError {
  const known = code in ErrorCode ? (code as ErrorCode) : ErrorCode.internal_error;
  return { error: known, message };
}
