import {
  jsonErrorHandler,
  notFoundHandler,
  observeRequests,
  operationalRoutes,
  type ReadinessReport,
  requireJson,
  sendError,
} from "@wg402/service-kit";
import {
  BaseError,
  CloseLeaseRequest,
  ErrorCode,
  LEASE_AUTH_HEADER,
  NodeChallenge,
  type NodeChallengeAnswer,
  type NodeInfo,
  parseLeaseAuth,
  type UsageReceipt,
} from "@wg402/shared";
import express, { type Request } from "express";
import type { Logger } from "pino";
import type { ChannelPayments } from "./channels/channelPayments.ts";
import { channelRefundRoute } from "./channels/channelRefundRoute.ts";
import { assertLeaseId, type PurchaseBounds, parseBody } from "./http/validateLeaseRequest.ts";
import type { LeasePayments } from "./leases/leasePayments.ts";
import { createLeasePurchase, renewLeasePurchase } from "./leases/leasePurchases.ts";
import type { LeaseService } from "./leases/leaseService.ts";
import { verifyLeaseAction } from "./leases/verifyLeaseAction.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { InflightPayments } from "./payments/inflightPayments.ts";
import { paidRoute } from "./payments/paidRoute.ts";
import type { PaymentEdge } from "./payments/paymentEdge.ts";

export type { ReadinessReport };

export type AgentAppDeps = {
  leases: LeaseService;
  payments: LeasePayments;
  inflight: InflightPayments;
  edge: PaymentEdge;
  metrics: AgentMetrics;
  logger: Logger;
  /** Escrow channels, when the node offers them. */
  channels?: ChannelPayments;
  nodeInfo: () => NodeInfo;
  /** Signs a closed lease's usage receipt with the node's key; absent on a node that signs nothing. */
  signUsage?: (receipt: UsageReceipt) => Promise<UsageReceipt>;
  /** Answers `GET /?challenge=` with the node's key; absent on a node that signs nothing. */
  signChallenge?: (claim: {
    challenge: `0x${string}`;
    wireguardKey: string;
    endpoint: string;
  }) => Promise<NodeChallengeAnswer>;
  readiness: () => Promise<ReadinessReport>;
  /** What one purchase may buy. */
  bounds: PurchaseBounds;
  chainId: number;
  now: () => number;
  bodyLimitBytes: number;
};

const notFound = (leaseId: string) =>
  new BaseError(`no lease ${leaseId} on this node`, { code: ErrorCode.lease_not_found });

/** Builds the agent's HTTP API. It never listens: `main.ts` does. */
export function createApp(deps: AgentAppDeps): express.Express {
  const { leases, metrics, logger } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(observeRequests(logger, metrics.httpDuration));

  app.get("/", async (req, res) => {
    const info = deps.nodeInfo();
    const asked = req.query.challenge;
    if (asked === undefined) {
      res.json(info);
      return;
    }
    const challenge = NodeChallenge.safeParse(asked);
    if (!challenge.success) {
      throw new BaseError("challenge must be a 0x-prefixed 32-byte hex string", { code: ErrorCode.invalid_request });
    }
    if (!deps.signChallenge) {
      throw new BaseError("this node has no signing key to answer a challenge with", { code: ErrorCode.not_found });
    }
    const claim = { challenge: challenge.data as `0x${string}`, wireguardKey: info.publicKey, endpoint: info.endpoint };
    // Never cached: each answer is for one challenge.
    res.setHeader("Cache-Control", "no-store");
    res.json({ ...info, challenge: await deps.signChallenge(claim) });
  });
  app.use(operationalRoutes(deps.readiness, metrics.registry));
  // Lease answers describe one buyer's purchase: never cached by anything in between.
  app.use("/lease", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  /** The payer's proof for a lease action, from its header (GET) or body (DELETE). */
  const provePayer = async (leaseId: string, action: "view" | "close", request: CloseLeaseRequest) => {
    const payer = leases.payerOf(leaseId);
    if (!payer) throw notFound(leaseId);
    await verifyLeaseAction({ request, leaseId, action, chainId: deps.chainId, payer, nowMs: deps.now() });
  };

  // Anyone learns a lease's state and expiry; its payer (a signed header, or the lease's bearer token)
  // learns everything.
  app.get("/lease/:id", async (req: Request<{ id: string }>, res) => {
    const leaseId = req.params.id;
    assertLeaseId(leaseId);
    const bearer = /^Bearer (\S+)$/.exec(req.header("authorization") ?? "")?.[1];
    if (bearer !== undefined) {
      if (!leases.tokenMatches(leaseId, bearer)) {
        throw new BaseError("this bearer token is not this lease's", { code: ErrorCode.unauthorized });
      }
      res.json(await leases.view(leaseId));
      return;
    }
    const header = req.header(LEASE_AUTH_HEADER);
    if (header === undefined) {
      res.json(leases.summary(leaseId));
      return;
    }
    const proof = parseLeaseAuth(header);
    if (!proof) {
      throw new BaseError(`the ${LEASE_AUTH_HEADER} header must be "<unix timestamp>.<0x signature>"`, {
        code: ErrorCode.invalid_signature,
      });
    }
    await provePayer(leaseId, "view", proof);
    res.json(await leases.view(leaseId));
  });

  const json = [requireJson, express.json({ limit: deps.bodyLimitBytes, strict: true })];
  const paid = {
    edge: deps.edge,
    inflight: deps.inflight,
    book: deps.payments,
    log: logger,
    channels: deps.channels,
    onVoucherVerified: (seconds: number) => metrics.voucherVerifySeconds.observe(seconds),
    onOutcome: (outcome: string) => metrics.paymentOutcomes.inc({ outcome }),
  };
  app.post("/lease", ...json, paidRoute(paid, createLeasePurchase(leases, deps.bounds)));
  app.post("/lease/:id/renew", ...json, paidRoute(paid, renewLeasePurchase(leases, deps.bounds)));

  if (deps.channels) {
    app.get("/channel/refund", channelRefundRoute({ edge: deps.edge, channels: deps.channels, log: logger }));
  }

  app.delete("/lease/:id", ...json, async (req: Request<{ id: string }>, res) => {
    const leaseId = req.params.id;
    assertLeaseId(leaseId);
    if (!leases.payerOf(leaseId)) throw notFound(leaseId);
    if (req.body === undefined) {
      throw new BaseError("closing a lease needs the payer's signature: { timestamp, signature }", {
        code: ErrorCode.unauthorized,
      });
    }
    await provePayer(leaseId, "close", parseBody(CloseLeaseRequest, req.body));
    const receipt = await leases.close(leaseId);
    // A lease paid by channel is charged its last seconds at once, so the refund that follows is exact.
    await deps.channels?.billEnded();
    const channel = deps.channels?.receiptOf(leaseId);
    const full = channel ? { ...receipt, channel } : receipt;
    res.json(deps.signUsage ? await deps.signUsage(full) : full);
  });

  app.use((req, res, next) => {
    if (req.path === "/lease" || /^\/lease\/[^/]+(\/renew)?$/.test(req.path)) {
      return sendError(res, ErrorCode.method_not_allowed, `${req.method} is not allowed on ${req.path}`);
    }
    next();
  });
  app.use(notFoundHandler);
  app.use(jsonErrorHandler(logger));
  return app;
}
