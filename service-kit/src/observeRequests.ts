import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";

type LatencyHistogram = {
  startTimer: (labels?: Record<string, string | number>) => (labels?: Record<string, string | number>) => number;
};

/**
 * Structured request logs with a request id (taken from `x-request-id` when sane, echoed back), and a
 * latency histogram by route. Logs carry method and URL only: bodies hold payment signatures.
 */
export function observeRequests(logger: Logger, histogram: LatencyHistogram): RequestHandler[] {
  return [
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      serializers: { req: (req) => ({ id: req.id, method: req.method, url: req.url }) },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/metrics" },
    }),
    (req, res, next) => {
      const end = histogram.startTimer();
      res.on("finish", () =>
        end({ method: req.method, route: req.route?.path ?? "unmatched", status: res.statusCode }),
      );
      next();
    },
  ];
}
