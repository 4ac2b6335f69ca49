import { type Request, type Response, Router } from "express";

export type ReadinessReport = { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };

export type ReadinessCheck = () => Promise<{ ok: boolean; detail: string }>;

/**
 * Runs every dependency check at once; a check that throws is down, with `unreachable` and the first line
 * of why as its detail. Ready when all are ok.
 */
export function readinessOf(checks: Record<string, ReadinessCheck>): () => Promise<ReadinessReport> {
  return async () => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (error) {
          const why = (error instanceof Error ? error.message : String(error)).split("\n")[0];
          return [name, { ok: false, detail: `unreachable: ${why}` }] as const;
        }
      }),
    );
    return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
  };
}

type MetricsRegistry = { contentType: string; metrics: () => Promise<string> };

/**
 * `/healthz` (the process answers), `/readyz` (its dependencies answer; 503 otherwise) and `/metrics`
 * (Prometheus). `/metrics` runs the readiness checks first, so gauges they set are fresh when scraped.
 */
export function operationalRoutes(readiness: () => Promise<ReadinessReport>, registry: MetricsRegistry): Router {
  const router = Router();
  router.get("/healthz", (_req: Request, res: Response) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req: Request, res: Response) => {
    const report = await readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  router.get("/metrics", async (_req: Request, res: Response) => {
    await readiness().catch(() => undefined);
    res.setHeader("content-type", registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
