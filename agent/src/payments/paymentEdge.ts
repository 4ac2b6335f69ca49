import { ErrorCode, type PaymentKind } from "@wg402/shared";
import {
  HTTPFacilitatorClient,
  type HTTPRequestContext,
  type RouteConfig,
  type RoutesConfig,
  x402ResourceServer,
} from "@x402/core/server";
import type { Network } from "@x402/core/types";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { paymentMiddleware } from "@x402/express";
import type { RequestHandler } from "express";
import { formatUnits } from "viem";
import { type PaymentIdentity, paymentIdentity } from "./paymentKey.ts";

export type Token = { address: `0x${string}`; name: string; version: string; symbol: string; decimals: number };

export type PaymentEdgeParameters = {
  facilitatorUrl: string;
  facilitatorApiKey?: string;
  network: Network;
  token: Token;
  payTo: `0x${string}`;
  pricePerMinute: bigint;
  paymentTimeoutSeconds: number;
  /** Called once a payment's settlement succeeded; activates what the handler reserved. */
  onSettled: (identity: PaymentIdentity, settlement: { txHash: string | null; payer: string }) => Promise<void>;
  /** Called when settlement failed or the handler gave up: undo what the handler reserved. */
  onAbandoned: (identity: PaymentIdentity, reason: string) => Promise<void>;
};

/** Reads the minute count of a lease request, which the routes validated before pricing. */
function minutesOf(context: HTTPRequestContext): number {
  const body = context.adapter.getBody?.() as { minutes?: unknown } | undefined;
  if (typeof body?.minutes !== "number") throw new Error("a lease request reached pricing without validation");
  return body.minutes;
}

/**
 * The node's payment edge: the official x402 resource server and express middleware, the price for a
 * number of minutes, and the hooks that turn a settled payment into service. Lease logic never sees a
 * scheme: it receives a {@link PaymentIdentity}. A second scheme is a second entry in `offers`.
 */
export function createPaymentEdge(p: PaymentEdgeParameters) {
  const facilitator = new HTTPFacilitatorClient({
    url: p.facilitatorUrl,
    timeoutMs: 30_000,
    ...(p.facilitatorApiKey
      ? {
          createAuthHeaders: async () => {
            const headers = { Authorization: `Bearer ${p.facilitatorApiKey}` };
            return { verify: headers, settle: headers, supported: headers };
          },
        }
      : {}),
  });
  const server = new x402ResourceServer(facilitator).register(p.network, new ExactEvmScheme());

  const priceFor = (minutes: number) => p.pricePerMinute * BigInt(minutes);
  const offers = (): Extract<RouteConfig["accepts"], unknown[]> => [
    {
      scheme: "exact",
      network: p.network,
      payTo: p.payTo,
      maxTimeoutSeconds: p.paymentTimeoutSeconds,
      price: (context: HTTPRequestContext) => ({
        amount: priceFor(minutesOf(context)).toString(),
        asset: p.token.address,
        extra: { name: p.token.name, version: p.token.version },
      }),
    },
  ];
  const kinds: PaymentKind[] = [
    {
      scheme: "exact",
      network: p.network as PaymentKind["network"],
      asset: p.token.address,
      symbol: p.token.symbol,
      decimals: p.token.decimals,
      payTo: p.payTo,
    },
  ];

  const quote = (minutes: number) => {
    const total = priceFor(minutes);
    const totalFormatted = formatUnits(total, p.token.decimals);
    return {
      error: ErrorCode.payment_required,
      message: `${minutes} minute${minutes === 1 ? "" : "s"} cost ${totalFormatted} ${p.token.symbol}; pay with x402 (PAYMENT-REQUIRED header)`,
      minutes,
      pricePerMinute: p.pricePerMinute.toString(),
      total: total.toString(),
      totalFormatted,
      accepts: kinds,
    };
  };

  const route = (description: string): RouteConfig => ({
    accepts: offers(),
    description,
    mimeType: "application/json",
    unpaidResponseBody: (context) => ({ contentType: "application/json", body: quote(minutesOf(context)) }),
    settlementFailedResponseBody: (_context, result) => ({
      contentType: "application/json",
      body: {
        error: ErrorCode.settlement_failed,
        message: `the payment could not be settled (${result.errorReason ?? "unknown reason"}); nothing was charged and no tunnel was opened`,
      },
    }),
  });
  const routes: RoutesConfig = {
    "POST /lease": route("WireGuard tunnel time, by the minute"),
    "POST /lease/:id/renew": route("More time on an existing WireGuard lease"),
  };

  const identify = (payload: Parameters<typeof paymentIdentity>[0]) => paymentIdentity(payload as never);
  server.onAfterSettle(async ({ paymentPayload, result }) => {
    const identity = identify(paymentPayload as never);
    if (identity)
      await p.onSettled(identity, { txHash: result.transaction || null, payer: result.payer ?? identity.payer });
  });
  server.onSettleFailure(async ({ paymentPayload, error }) => {
    const identity = identify(paymentPayload as never);
    if (identity) await p.onAbandoned(identity, error.message.slice(0, 200));
  });
  server.onVerifiedPaymentCanceled(async ({ paymentPayload, reason }) => {
    const identity = identify(paymentPayload as never);
    if (identity) await p.onAbandoned(identity, reason);
  });

  const middleware: RequestHandler = paymentMiddleware(routes, server);
  return {
    middleware,
    server,
    facilitator,
    kinds,
    quote,
    priceFor,
  };
}
export type PaymentEdge = ReturnType<typeof createPaymentEdge>;
