import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type FacilitatorMetrics = ReturnType<typeof createFacilitatorMetrics>;

/**
 * The `operation` label: `verify` / `settle` for `exact`; for `batch-settlement` the payload's type (`deposit`,
 * `voucher`, `claim`, `settle`, `refund`). Labels only ever take these values, whatever a request names.
 */
export type MetricLabels = { scheme: "exact" | "batch-settlement" | "other"; operation: string };

const BATCH_OPERATIONS = new Set(["deposit", "voucher", "claim", "settle", "refund"]);

/** The labels of a request: a known scheme, and an operation from the fixed list above. */
export function metricLabelsOf(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  route: "verify" | "settle",
): MetricLabels {
  if (requirements.scheme === "exact") return { scheme: "exact", operation: route };
  if (requirements.scheme === "batch-settlement") {
    const type = (payload.payload as { type?: unknown })?.type;
    return {
      scheme: "batch-settlement",
      operation: typeof type === "string" && BATCH_OPERATIONS.has(type) ? type : "other",
    };
  }
  return { scheme: "other", operation: route };
}

/** One registry per app instance, so tests and parallel apps never share counters. */
export function createFacilitatorMetrics() {
  const registry = new Registry();
  const latencyBuckets = [0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];
  return {
    registry,
    verifications: new Counter({
      name: "facilitator_verify_total",
      help: "Payment verifications by scheme, operation, outcome and reason",
      labelNames: ["scheme", "operation", "outcome", "reason"] as const,
      registers: [registry],
    }),
    settlements: new Counter({
      name: "facilitator_settle_total",
      help: "Settlement requests by scheme, operation, outcome and reason (replayed = answered from the ledger)",
      labelNames: ["scheme", "operation", "outcome", "reason"] as const,
      registers: [registry],
    }),
    verifyDuration: new Histogram({
      name: "facilitator_verify_duration_seconds",
      help: "Time to verify a payment, by scheme and operation",
      labelNames: ["scheme", "operation"] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    settleDuration: new Histogram({
      name: "facilitator_settle_duration_seconds",
      help: "Time to settle a payment, broadcast to receipt, by scheme and operation",
      labelNames: ["scheme", "operation"] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    pendingSettlements: new Gauge({
      name: "facilitator_pending_settlements",
      help: "Settlements in flight or awaiting a receipt",
      registers: [registry],
    }),
    droppedSettlements: new Counter({
      name: "facilitator_settlements_dropped_total",
      help: "Broadcast settlements the chain no longer knows (dropped or replaced)",
      labelNames: ["network"] as const,
      registers: [registry],
    }),
    signerGasBalance: new Gauge({
      name: "facilitator_signer_gas_balance_wei",
      help: "Native balance of the settlement signer",
      labelNames: ["network", "address"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "facilitator_http_request_duration_seconds",
      help: "HTTP request latency",
      labelNames: ["method", "route", "status"] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
  };
}
