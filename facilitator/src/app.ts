import {
  jsonErrorHandler,
  notFoundHandler,
  observeRequests,
  operationalRoutes,
  type ReadinessReport,
  requireJson,
  sendError,
} from "@wg402/service-kit";
import { ErrorCode } from "@wg402/shared";
import type { x402Facilitator } from "@x402/core/facilitator";
import { PaymentPayloadV2Schema, PaymentRequirementsV2Schema } from "@x402/core/schemas";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import express, { type Request, type Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { apiKeyAuth, apiKeyCheck } from "./apiKeyAuth.ts";
import { parseBatchRequest } from "./batchPayload.ts";
import { exactRequestProblem } from "./exactPayload.ts";
import type { FacilitatorMetrics } from "./metrics.ts";
import { rateLimit } from "./rateLimit.ts";
import type { SettlementService } from "./settlementService.ts";

export type { ReadinessReport };

export type FacilitatorAppDeps = {
  service: SettlementService;
  facilitator: x402Facilitator;
  metrics: FacilitatorMetrics;
  logger: Logger;
  apiKeys: string[];
  bodyLimitBytes: number;
  /** Per client address on /verify and /settle; 0 is no limit. */
  rateLimitPerMinute: number;
  readiness: () => Promise<ReadinessReport>;
};

const FacilitatorRequest = z.object({
  x402Version: z.number().int(),
  paymentPayload: z.unknown(),
  paymentRequirements: z.unknown(),
});

type ParsedRequest = { paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements };

/** Validates the body against the x402 v2 schemas of the SDK itself; answers 400 and returns undefined if not. */
function parseFacilitatorRequest(req: Request, res: Response): ParsedRequest | undefined {
  const envelope = FacilitatorRequest.safeParse(req.body);
  if (!envelope.success) {
    sendError(
      res,
      ErrorCode.invalid_request,
      "expected { x402Version, paymentPayload, paymentRequirements }",
      z.treeifyError(envelope.error),
    );
    return undefined;
  }
  if (envelope.data.x402Version !== 2) {
    sendError(
      res,
      ErrorCode.unsupported_x402_version,
      `x402Version ${envelope.data.x402Version} is not supported; this facilitator speaks version 2`,
    );
    return undefined;
  }
  // batch-settlement has shapes of its own (and a channel manager that sends maxTimeoutSeconds: 0).
  if ((envelope.data.paymentRequirements as { scheme?: unknown } | null)?.scheme === "batch-settlement") {
    const batch = parseBatchRequest(envelope.data.paymentPayload, envelope.data.paymentRequirements);
    if (!batch.ok) {
      sendError(res, ErrorCode.invalid_request, batch.message, batch.issues);
      return undefined;
    }
    return {
      paymentPayload: batch.paymentPayload as unknown as PaymentPayload,
      paymentRequirements: batch.paymentRequirements as unknown as PaymentRequirements,
    };
  }
  const payload = PaymentPayloadV2Schema.safeParse(envelope.data.paymentPayload);
  if (!payload.success) {
    sendError(res, ErrorCode.invalid_request, "paymentPayload is not an x402 v2 payment payload", payload.error.issues);
    return undefined;
  }
  const requirements = PaymentRequirementsV2Schema.safeParse(envelope.data.paymentRequirements);
  if (!requirements.success) {
    sendError(
      res,
      ErrorCode.invalid_request,
      "paymentRequirements are not x402 v2 payment requirements",
      requirements.error.issues,
    );
    return undefined;
  }
  const parsed = {
    paymentPayload: payload.data as PaymentPayload,
    paymentRequirements: requirements.data as PaymentRequirements,
  };
  const problem = exactRequestProblem(parsed.paymentPayload, parsed.paymentRequirements);
  if (problem) {
    sendError(res, ErrorCode.invalid_request, problem.message, problem.issues);
    return undefined;
  }
  return parsed;
}

/** Builds the facilitator's HTTP service. It never listens: `main.ts` does. */
export function createApp(deps: FacilitatorAppDeps): express.Express {
  const { service, facilitator, metrics, logger } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(observeRequests(logger, metrics.httpDuration));

  app.use(operationalRoutes(deps.readiness, metrics.registry));
  app.get("/supported", (_req, res) => {
    res.json(facilitator.getSupported());
  });

  const checkApiKey = apiKeyCheck(deps.apiKeys);
  // Ahead of the key check and body parsing, so a flood costs a map lookup per request.
  app.post(
    ["/verify", "/settle"],
    rateLimit({ perMinute: deps.rateLimitPerMinute, exempt: (req) => checkApiKey(req) === "valid" }),
  );
  const paid = express.Router();
  paid.use(
    apiKeyAuth(deps.apiKeys, checkApiKey),
    requireJson,
    express.json({ limit: deps.bodyLimitBytes, strict: true }),
  );
  paid.post("/verify", async (req, res) => {
    const parsed = parseFacilitatorRequest(req, res);
    if (!parsed) return;
    res.json(await service.verify(parsed.paymentPayload, parsed.paymentRequirements));
  });
  paid.post("/settle", async (req, res) => {
    const parsed = parseFacilitatorRequest(req, res);
    if (!parsed) return;
    // Only a request with one of the operator's keys may have the facilitator sign a refund (batchGuards.ts).
    const authenticated = deps.apiKeys.length > 0 && checkApiKey(req) === "valid";
    res.json(await service.settle(parsed.paymentPayload, parsed.paymentRequirements, { authenticated }));
  });
  app.use(paid);

  app.use((req, res, next) => {
    if (["/verify", "/settle", "/supported", "/healthz", "/readyz", "/metrics"].includes(req.path)) {
      return sendError(res, ErrorCode.method_not_allowed, `${req.method} is not allowed on ${req.path}`);
    }
    next();
  });
  app.use(notFoundHandler);
  app.use(jsonErrorHandler(logger));
  return app;
}
