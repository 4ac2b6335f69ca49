import { BaseError, ErrorCode, httpStatusFor, type LeaseUnits, retryAfterSeconds } from "@wg402/shared";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import type { HTTPRequestContext, HTTPResponseInstructions } from "@x402/core/server";
import { ExpressAdapter } from "@x402/express";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { isChannelIdentity } from "../channels/channelIdentity.ts";
import type { ChannelPayments, ChannelSettlement } from "../channels/channelPayments.ts";
import type { ChannelGrant } from "../ledger/leaseStore.ts";
import type { NewPayment } from "../ledger/records.ts";
import { FacilitatorUnavailableError } from "./facilitatorClient.ts";
import type { InflightPayments, PaidAnswer } from "./inflightPayments.ts";
import type { PaymentEdge } from "./paymentEdge.ts";
import { type RequestPayment, readPaymentHeader } from "./readPaymentHeader.ts";
import { isDefinitiveFailure } from "./settlementOutcome.ts";

/** What one paid request buys, as the route that sells it describes it. */
export type Purchase = {
  /** The SDK route this request is priced by, with its parameters filled in (e.g. `/lease/<id>/renew`). */
  path: string;
  /** What is bought (e.g. `create:<key>:<minutes>`): a copy of a payment must ask for the same thing. */
  target: string;
  units: LeaseUnits;
  /** The lease a renewal extends. */
  leaseId?: string;
  /** Refusals that need no payment, checked before a 402 is issued and before a payment is verified. */
  precheck(): void;
  /** The payment verified: reserve what it buys as pending. Throws a domain error to refuse. */
  reserve(payment: NewPayment): void;
};

/** The ledger side of a payment's life, keyed by the payment (the same for every copy of it). */
export type PaymentBook = {
  /** A payment seen before: its recorded answer, a conflict or the open state; undefined to proceed. */
  recorded(payment: RequestPayment, target: string): Promise<PaidAnswer | undefined>;
  settled(
    key: string,
    settlement: { txHash: string | null; payer: string; headers?: Record<string, string>; grant?: ChannelGrant },
  ): Promise<PaidAnswer>;
  failed(key: string, reason: string): Promise<void>;
  /** Whether the payment is settled (its time granted), e.g. by a channel charge's commit. */
  isSettled(key: string): boolean;
  /** The ledger side of a grant alone, run inside the transaction that commits a channel charge. */
  grant(key: string, settlement: { txHash: string | null; payer: string; grant: ChannelGrant }): boolean;
  unknown(key: string, reason: string): PaidAnswer;
  conflict(): PaidAnswer;
  /** The answer as one buyer receives it, just before it is sent (once per copy of the request). */
  deliver(key: string, answer: PaidAnswer): PaidAnswer;
};

export type PaidRouteParameters = {
  edge: PaymentEdge;
  inflight: InflightPayments;
  book: PaymentBook;
  log: Logger;
  /** Escrow channels, when the node offers them. */
  channels?: ChannelPayments;
  /** How long the SDK took to verify a voucher (locally, unless its chain state was stale), for metrics. */
  onVoucherVerified?: (seconds: number) => void;
  /** Called when a request's payment outcome is decided, for metrics. */
  onOutcome?: (outcome: "settled" | "failed" | "unknown" | "refused" | "unavailable") => void;
};

/** A domain error as an answer: the status its code maps to, and when to retry if that applies. */
export function errorAnswer(error: BaseError): PaidAnswer {
  const retry = retryAfterSeconds[error.code];
  return {
    status: httpStatusFor[error.code],
    headers: retry === undefined ? {} : { "Retry-After": String(retry) },
    body: error.toWire(),
  };
}

const unavailable = () =>
  errorAnswer(
    new BaseError("the node's payment facilitator is not answering; nothing was charged, try again shortly", {
      code: ErrorCode.facilitator_unavailable,
    }),
  );

/** The SDK's answer, with a readable body where it sends an empty one (a refused payment). */
export function fromInstructions(response: HTTPResponseInstructions): PaidAnswer {
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
  const empty =
    response.body === undefined ||
    (typeof response.body === "object" && response.body !== null && Object.keys(response.body).length === 0);
  if (!empty) return { status: response.status, headers, body: response.body };
  let reason = "no reason given";
  try {
    reason = decodePaymentRequiredHeader(headers["PAYMENT-REQUIRED"] ?? "").error ?? reason;
  } catch {
    // No header to read a reason from.
  }
  return {
    status: response.status,
    headers,
    body: { error: ErrorCode.payment_failed, message: `the payment was not accepted: ${reason}; nothing was charged` },
  };
}

export function send(res: Response, answer: PaidAnswer): void {
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader("Cache-Control", "no-store");
  res.status(answer.status).json(answer.body ?? {});
}

/**
 * Sells one paid request through the SDK's HTTP resource server, with the order of events under our
 * control: copies of a payment are caught before anything is verified (and wait for the first one's
 * answer), the purchase is reserved only after verification, and the settle's outcome decides what the
 * buyer hears — settled (the time is granted, then the answer is sent), refused (nothing was charged), or
 * unknown (503 `settlement_unknown`: the chain decides, and the same request asked again gets the result).
 */
export function paidRoute(p: PaidRouteParameters, buy: (req: Request) => Purchase): RequestHandler {
  const handle = async (req: Request, purchase: Purchase, payment: RequestPayment): Promise<PaidAnswer> => {
    const { identity } = payment;
    try {
      const recorded = await p.book.recorded(payment, purchase.target);
      if (recorded) return recorded;
      purchase.precheck();
      const channel = isChannelIdentity(identity) ? identity : undefined;
      await p.channels?.check(channel, purchase.leaseId);
      await p.edge.ensureReady();
      const context = sdkContext(req, purchase.path);
      const started = performance.now();
      const result = await p.edge.http.processHTTPRequest(context);
      if (channel?.kind === "voucher") p.onVoucherVerified?.((performance.now() - started) / 1000);
      if (result.type === "payment-error") {
        p.onOutcome?.("refused");
        return fromInstructions(result.response);
      }
      if (result.type === "no-payment-required") throw new Error(`${purchase.path} is not a paid route`);
      try {
        purchase.reserve({
          identity,
          target: purchase.target,
          ...purchase.units,
          payload: result.paymentPayload,
          requirements: result.paymentRequirements,
        });
      } catch (error) {
        await result.cancellationDispatcher.cancel({ reason: "handler_threw", error });
        throw error;
      }
      let settlement: ChannelSettlement | undefined;
      if (channel && p.channels) {
        try {
          const payer = identity.payer;
          settlement = p.channels.prepareSettle({
            identity: channel,
            payload: result.paymentPayload,
            leaseId: purchase.leaseId,
            units: purchase.units,
            grantNow: (grant) => p.book.grant(identity.key, { txHash: null, payer, grant }),
          });
        } catch (error) {
          await result.cancellationDispatcher.cancel({ reason: "handler_threw", error });
          return await channelFailed(p, identity.key, error);
        }
      }
      let settle: Awaited<ReturnType<typeof p.edge.http.processSettlement>>;
      try {
        settle = await p.edge.http.processSettlement(
          result.paymentPayload,
          result.paymentRequirements,
          result.declaredExtensions,
          { request: context },
          settlement?.overrides,
        );
      } catch (error) {
        if (channel) return await channelOutcome(p, identity, error);
        p.onOutcome?.("unknown");
        return p.book.unknown(identity.key, (error as Error).message ?? String(error));
      } finally {
        settlement?.done();
      }
      if (settle.success) {
        p.onOutcome?.("settled");
        return await p.book.settled(identity.key, {
          txHash: settle.transaction || null,
          payer: typeof settle.payer === "string" ? settle.payer : identity.payer,
          headers: settle.headers,
          grant: settlement?.grant,
        });
      }
      if (channel) return await channelOutcome(p, identity, settle.errorReason, settle.response);
      if (isDefinitiveFailure(settle.errorReason)) {
        p.onOutcome?.("failed");
        await p.book.failed(identity.key, settle.errorReason);
        return fromInstructions(settle.response);
      }
      p.onOutcome?.("unknown");
      return p.book.unknown(identity.key, settle.errorReason);
    } catch (error) {
      if (error instanceof BaseError) return errorAnswer(error);
      if (error instanceof FacilitatorUnavailableError) {
        p.onOutcome?.("unavailable");
        p.log.warn({ err: error, operation: error.operation }, "facilitator unavailable");
        return unavailable();
      }
      p.log.error({ err: error }, "paid request failed");
      return errorAnswer(new BaseError("internal error", { code: ErrorCode.internal_error }));
    }
  };

  return async (req, res) => {
    const purchase = buy(req);
    const read = readPaymentHeader(req, p.channels ? ["exact", "batch-settlement"] : ["exact"]);
    // A voucher is deterministic: while its channel's charge has not moved, the very same one may rightly buy
    // another purchase (a new lease after a close that used nothing). So it is one payment per purchase; the
    // SDK's reservation serialises the channel, and the ceiling check keeps every grant covered.
    const payment =
      read && isChannelIdentity(read.identity)
        ? { ...read, identity: { ...read.identity, key: `${read.identity.key}:${purchase.target}` } }
        : read;
    if (!payment) {
      purchase.precheck();
      send(res, await unpaidAnswer(p, req, purchase));
      return;
    }
    const answer =
      p.inflight.join(payment.identity, purchase.target, () => p.book.conflict()) ??
      p.inflight.run(payment.identity, purchase.target, () => handle(req, purchase, payment));
    send(res, p.book.deliver(payment.identity.key, await answer));
  };
}

/**
 * A channel payment whose settle did not report success. If its charge committed, the time was granted in
 * the same transaction: the buyer gets the lease. Otherwise nothing was charged.
 */
async function channelOutcome(
  p: PaidRouteParameters,
  identity: RequestPayment["identity"],
  error: unknown,
  response?: HTTPResponseInstructions,
): Promise<PaidAnswer> {
  if (p.book.isSettled(identity.key)) {
    p.log.warn({ err: error }, "a channel settle reported failure after its charge committed; the time stands");
    p.onOutcome?.("settled");
    return p.book.settled(identity.key, { txHash: null, payer: identity.payer });
  }
  if (!response) return channelFailed(p, identity.key, error);
  p.onOutcome?.("failed");
  await p.book.failed(identity.key, typeof error === "string" ? error : "channel_settle_refused");
  return fromInstructions(response);
}

/**
 * A channel payment whose settle threw. Its charge commits in one transaction with the time it buys, so
 * nothing was charged unless the time was granted too; a deposit that reached the escrow stays the payer's.
 */
async function channelFailed(p: PaidRouteParameters, key: string, error: unknown): Promise<PaidAnswer> {
  if (error instanceof BaseError) {
    await p.book.failed(key, error.code);
    return errorAnswer(error);
  }
  p.log.warn({ err: error }, "channel settle failed");
  await p.book.failed(key, "channel_settle_failed");
  p.onOutcome?.("failed");
  return errorAnswer(
    new BaseError(
      "the channel payment could not be settled; nothing was charged (a deposit that reached the escrow stays yours)",
      { code: ErrorCode.settlement_failed },
    ),
  );
}

async function unpaidAnswer(p: PaidRouteParameters, req: Request, purchase: Purchase): Promise<PaidAnswer> {
  try {
    await p.edge.ensureReady();
    const result = await p.edge.http.processHTTPRequest(sdkContext(req, purchase.path));
    if (result.type !== "payment-error") throw new Error(`${purchase.path} did not ask for payment`);
    return fromInstructions(result.response);
  } catch (error) {
    if (error instanceof FacilitatorUnavailableError) return unavailable();
    throw error;
  }
}

/** The SDK sees the route's canonical path, so its route matcher and express's can never disagree. */
export function sdkContext(req: Request, path: string, method = "POST"): HTTPRequestContext {
  const adapter = new ExpressAdapter(req);
  return {
    adapter,
    path,
    decodedPath: path,
    method,
    paymentHeader: adapter.getHeader("payment-signature"),
  };
}
