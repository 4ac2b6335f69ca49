import { CloseLeaseRequest, ErrorCode, type NodeInfo } from "@wg402/shared";
import {
  HttpError,
  jsonErrorHandler,
  notFoundHandler,
  observeRequests,
  operationalRoutes,
  type ReadinessReport,
  requireJson,
  sendError,
} from "@wg402/shared/http";
import express, { type Request } from "express";
import type { Logger } from "pino";
import { assertLeaseId, parseBody, parseCreateLease, parseRenewLease } from "./http/validateLeaseRequest.ts";
import type { LeaseService } from "./leases/leaseService.ts";
import { verifyLeaseAction } from "./leases/verifyLeaseAction.ts";
import type { NewPayment } from "./ledger/leaseStore.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { PaymentEdge } from "./payments/paymentEdge.ts";
import { paymentIdentity } from "./payments/paymentKey.ts";
import { readPaymentHeader } from "./payments/readPaymentHeader.ts";

export type { ReadinessReport };

export type AgentAppDeps = {
  leases: LeaseService;
  edge: PaymentEdge;
  metrics: AgentMetrics;
  logger: Logger;
  nodeInfo: () => NodeInfo;
  readiness: () => Promise<ReadinessReport>;
  minutes: { min: number; max: number };
  chainId: number;
  now: () => number;
  bodyLimitBytes: number;
};

/** Builds the agent's HTTP API. It never listens: `main.ts` does. */
export function createApp(deps: AgentAppDeps): express.Express {
  const { leases, edge, metrics, logger } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(observeRequests(logger, metrics.httpDuration));

  app.get("/", (_req, res) => {
    res.json(deps.nodeInfo());
  });
  app.use(operationalRoutes(deps.readiness, metrics.registry));
  app.get("/lease/:id", async (req: Request<{ id: string }>, res) => {
    assertLeaseId(req.params.id);
    res.json(await leases.view(req.params.id));
  });

  const json = [requireJson, express.json({ limit: deps.bodyLimitBytes, strict: true })];

  // Everything a request can be refused for is checked before a price is computed or a payment verified.
  app.post("/lease", ...json, (req, _res, next) => {
    const request = parseCreateLease(req.body, deps.minutes);
    readPaymentHeader(req);
    leases.precheckCreate(request.publicKey);
    next();
  });
  app.post("/lease/:id/renew", ...json, (req, _res, next) => {
    assertLeaseId(req.params.id as string);
    parseRenewLease(req.body, deps.minutes);
    readPaymentHeader(req);
    leases.precheckRenew(req.params.id as string);
    next();
  });

  app.use(edge.middleware);

  // Only reached with a payment the facilitator verified; settlement follows this handler's answer.
  const verifiedPayment = (req: Request, minutes: number): NewPayment => {
    const payload = readPaymentHeader(req);
    const identity = payload && paymentIdentity(payload);
    if (!identity) {
      throw new HttpError(400, ErrorCode.unsupported_scheme, "this payment scheme is not accepted here");
    }
    return {
      paymentKey: identity.key,
      scheme: identity.scheme,
      network: identity.network,
      asset: identity.asset,
      payer: identity.payer,
      amount: edge.priceFor(minutes).toString(),
      minutes,
    };
  };
  app.post("/lease", (req, res) => {
    const { publicKey, minutes } = parseCreateLease(req.body, deps.minutes);
    res.status(201).json(leases.reserveLease(publicKey, minutes, verifiedPayment(req, minutes)));
  });
  app.post("/lease/:id/renew", (req: Request<{ id: string }>, res) => {
    const { minutes } = parseRenewLease(req.body, deps.minutes);
    res.json({ lease: leases.reserveRenewal(req.params.id, verifiedPayment(req, minutes)), minutes });
  });

  app.delete("/lease/:id", ...json, async (req: Request<{ id: string }>, res) => {
    const leaseId = req.params.id;
    assertLeaseId(leaseId);
    const payer = leases.payerOf(leaseId);
    if (!payer) throw new HttpError(404, ErrorCode.lease_not_found, `no lease ${leaseId} on this node`);
    if (req.body === undefined) {
      throw new HttpError(
        401,
        ErrorCode.unauthorized,
        "closing a lease needs the payer's signature: { timestamp, signature }",
      );
    }
    const request = parseBody(CloseLeaseRequest, req.body);
    await verifyLeaseAction({ request, leaseId, action: "close", chainId: deps.chainId, payer, nowMs: deps.now() });
    res.json(await leases.close(leaseId));
  });

  app.use((req, res, next) => {
    if (req.path === "/lease" || /^\/lease\/[^/]+(\/renew)?$/.test(req.path)) {
      return sendError(res, 405, ErrorCode.method_not_allowed, `${req.method} is not allowed on ${req.path}`);
    }
    next();
  });
  app.use(notFoundHandler);
  app.use(jsonErrorHandler(logger));
  return app;
}
