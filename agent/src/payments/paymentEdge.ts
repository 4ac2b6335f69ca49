import { describeUnits, ErrorCode, type LeaseUnits, type PaymentKind, priceOf } from "@wg402/shared";
import {
  type HTTPRequestContext,
  type RouteConfig,
  RouteConfigurationError,
  type RoutesConfig,
  x402HTTPResourceServer,
  x402ResourceServer,
} from "@x402/core/server";
import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  ResourceServerExtension,
  SettleResponse,
} from "@x402/core/types";
import type { BatchSettlementEvmScheme } from "@x402/evm/batch-settlement/server";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { formatUnits } from "viem";
import { CHANNEL_SCHEME } from "../channels/channelIdentity.ts";
import { OFFER_RECEIPT_DECLARATION } from "../signing/nodeSigner.ts";
import { createFacilitatorClient, FacilitatorUnavailableError } from "./facilitatorClient.ts";

export type Token = { address: `0x${string}`; name: string; version: string; symbol: string; decimals: number };

export type PaymentEdgeParameters = {
  facilitatorUrl: string;
  facilitatorApiKey?: string;
  /** Per facilitator request; a settle that takes longer is "unknown", never "failed". */
  facilitatorTimeoutMs?: number;
  network: Network;
  token: Token;
  payTo: `0x${string}`;
  pricePerMinute: bigint;
  /** Null: the node sells time only. */
  pricePerMb?: bigint | null;
  paymentTimeoutSeconds: number;
  /** A billed minute in seconds: 60, except on test nodes. */
  secondsPerMinute: number;
  /** Escrow channels, offered beside `exact` when given. */
  channel?: ChannelOffer;
  /** x402 `offer-receipt`: every 402 of a paid route carries signed offers, every settled answer a receipt. */
  offerReceipt?: ResourceServerExtension;
};

/**
 * The `batch-settlement` side of the edge: the SDK's server scheme (on the agent's channel storage) and the
 * amount a voucher must add for a purchase, which depends on the lease's channel (see channelBilling.ts).
 */
export type ChannelOffer = {
  scheme: BatchSettlementEvmScheme;
  quote: (path: string, units: LeaseUnits) => Promise<bigint>;
};

/** The canonical paths of the paid routes; the SDK is told these, never the raw request path. */
export const PAID_ROUTES = { create: "POST /lease", renew: "POST /lease/:id/renew" } as const;
/** Where a channel's payer asks for its unused deposit back (the SDK client's `refund(url)`). */
export const CHANNEL_REFUND_ROUTE = "GET /channel/refund";

const count = (value: unknown) => (typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0);

/** Reads what a lease request buys, which the routes validated before pricing. */
function unitsOf(context: HTTPRequestContext): LeaseUnits {
  const body = context.adapter.getBody?.() as { minutes?: unknown; megabytes?: unknown } | undefined;
  const units = { minutes: count(body?.minutes), megabytes: count(body?.megabytes) };
  // The paid routes validate first, so nothing is a programming error; price one minute rather than throw.
  return units.minutes === 0 && units.megabytes === 0 ? { minutes: 1, megabytes: 0 } : units;
}

const kindOf = (p: PaymentEdgeParameters) => ({
  network: p.network as PaymentKind["network"],
  asset: p.token.address,
  symbol: p.token.symbol,
  decimals: p.token.decimals,
  payTo: p.payTo,
});

// Listed first: a client that speaks both prefers the channel, whose renewals cost no transaction.
function channelOffer(p: PaymentEdgeParameters, channel: ChannelOffer) {
  return {
    scheme: CHANNEL_SCHEME,
    network: p.network,
    payTo: p.payTo,
    maxTimeoutSeconds: p.paymentTimeoutSeconds,
    price: async (context: HTTPRequestContext) => ({
      amount: (await channel.quote(context.path, unitsOf(context))).toString(),
      asset: p.token.address,
      extra: { name: p.token.name, version: p.token.version },
    }),
  };
}

/**
 * The node's payment edge on the official x402 server: the resource server with the `exact` scheme, the
 * HTTP server that builds 402s, matches payments and settles them, and the price for a number of minutes.
 * Lease logic never sees a scheme; `paidRoute` drives this edge per request.
 */
export function createPaymentEdge(p: PaymentEdgeParameters) {
  const facilitator = createFacilitatorClient({
    url: p.facilitatorUrl,
    timeoutMs: p.facilitatorTimeoutMs ?? 30_000,
    ...(p.facilitatorApiKey
      ? {
          createAuthHeaders: async () => {
            const headers = { Authorization: `Bearer ${p.facilitatorApiKey}` };
            return { verify: headers, settle: headers, supported: headers };
          },
        }
      : {}),
  });
  const resourceServer = new x402ResourceServer(facilitator).register(p.network, new ExactEvmScheme());
  if (p.channel) resourceServer.register(p.network, p.channel.scheme);
  if (p.offerReceipt) resourceServer.registerExtension(p.offerReceipt);

  const prices = { pricePerMinute: p.pricePerMinute, pricePerMb: p.pricePerMb ?? null };
  const priceFor = (units: LeaseUnits) => priceOf(prices, units);
  const offers = (): Extract<RouteConfig["accepts"], unknown[]> => [
    ...(p.channel ? [channelOffer(p, p.channel)] : []),
    {
      scheme: "exact",
      network: p.network,
      payTo: p.payTo,
      maxTimeoutSeconds: p.paymentTimeoutSeconds,
      price: (context: HTTPRequestContext) => ({
        amount: priceFor(unitsOf(context)).toString(),
        asset: p.token.address,
        extra: { name: p.token.name, version: p.token.version },
      }),
    },
  ];
  const kinds: PaymentKind[] = [
    ...(p.channel ? [{ ...kindOf(p), scheme: CHANNEL_SCHEME }] : []),
    {
      scheme: "exact",
      network: p.network as PaymentKind["network"],
      asset: p.token.address,
      symbol: p.token.symbol,
      decimals: p.token.decimals,
      payTo: p.payTo,
    },
  ];

  const describe = (units: LeaseUnits) => {
    const what = describeUnits(units);
    const minutes = units.minutes;
    if (p.secondsPerMinute === 60 || minutes === 0) return what;
    return `${what.replace(/minutes?/, (m) => `billed ${m}`)} (${minutes * p.secondsPerMinute} s on this node)`;
  };
  const quote = (units: LeaseUnits) => {
    const total = priceFor(units);
    const totalFormatted = formatUnits(total, p.token.decimals);
    return {
      error: ErrorCode.payment_required,
      message: `${describe(units)} cost${units.minutes + units.megabytes === 1 ? "s" : ""} ${totalFormatted} ${p.token.symbol}; pay with x402 (PAYMENT-REQUIRED header)`,
      minutes: units.minutes,
      megabytes: units.megabytes,
      pricePerMinute: p.pricePerMinute.toString(),
      pricePerMb: p.pricePerMb?.toString() ?? null,
      total: total.toString(),
      totalFormatted,
      accepts: kinds,
    };
  };

  const route = (description: string): RouteConfig => ({
    accepts: offers(),
    ...(p.offerReceipt ? { extensions: OFFER_RECEIPT_DECLARATION } : {}),
    description,
    mimeType: "application/json",
    unpaidResponseBody: (context) => ({ contentType: "application/json", body: quote(unitsOf(context)) }),
    settlementFailedResponseBody: (_context, result) => ({
      contentType: "application/json",
      body: {
        error: ErrorCode.settlement_failed,
        message: `the payment was refused at settlement (${result.errorReason ?? "no reason given"}); nothing was charged and no tunnel was opened`,
      },
    }),
  });
  const routes: RoutesConfig = {
    [PAID_ROUTES.create]: route("WireGuard tunnel time or data, by the minute and the MB"),
    [PAID_ROUTES.renew]: route("More time or data on an existing WireGuard lease"),
  };
  if (p.channel) {
    routes[CHANNEL_REFUND_ROUTE] = {
      accepts: [channelOffer(p, p.channel)],
      description: "A cooperative refund of an escrow channel's unused deposit",
      mimeType: "application/json",
    };
  }
  const http = new x402HTTPResourceServer(resourceServer, routes);

  // Loads the facilitator's supported kinds once; a failure is retried on the next paid request.
  let ready: Promise<void> | undefined;
  const ensureReady = () => {
    ready ??= http.initialize().catch((error: unknown) => {
      ready = undefined;
      // The SDK wraps the cause in a generic Error; what it means here is "the facilitator is not answering".
      if (error instanceof RouteConfigurationError || error instanceof FacilitatorUnavailableError) throw error;
      throw new FacilitatorUnavailableError("supported", error);
    });
    return ready;
  };

  return {
    http,
    facilitator,
    kinds,
    quote,
    priceFor,
    ensureReady,
    /** The channel scheme, when channels are offered. */
    channel: p.channel,
    /** Settles a payment again, outside any request (finishing one whose first settle went unanswered). */
    settleAgain: (payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> =>
      facilitator.settle(payload, requirements),
  };
}
export type PaymentEdge = ReturnType<typeof createPaymentEdge>;
