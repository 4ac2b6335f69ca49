import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;

/** One registry per agent instance, so parallel agents in one process never share counters. */
export function createAgentMetrics() {
  const registry = new Registry();
  return {
    registry,
    activeLeases: new Gauge({ name: "agent_active_leases", help: "Leases with a live peer", registers: [registry] }),
    leaseEvents: new Counter({
      name: "agent_lease_events_total",
      help: "Lease lifecycle events",
      labelNames: ["event"] as const,
      registers: [registry],
    }),
    paymentFailures: new Counter({
      name: "agent_payment_failures_total",
      help: "Payments that did not settle, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    paymentOutcomes: new Counter({
      name: "agent_payment_outcomes_total",
      help: "How paid requests ended: settled, failed (nothing charged), unknown (the chain decides), refused, unavailable",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    paymentsUnknown: new Counter({
      name: "agent_payments_unknown_total",
      help: "Settlements that ended without saying whether money moved",
      registers: [registry],
    }),
    openPayments: new Gauge({
      name: "agent_open_payments",
      help: "Payments whose outcome is still open after the last sweep",
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "agent_http_request_duration_seconds",
      help: "HTTP request latency",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    expiryLateness: new Histogram({
      name: "agent_expiry_lateness_seconds",
      help: "How long after its expiry a peer was removed",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15],
      registers: [registry],
    }),
    voucherVerifySeconds: new Histogram({
      name: "agent_channel_voucher_verify_seconds",
      help: "Time to verify a channel voucher (local unless the channel's chain state was stale)",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    channelsOpen: new Gauge({
      name: "agent_channels_open",
      help: "Escrow channels the node holds a voucher of",
      registers: [registry],
    }),
    channelUnclaimed: new Gauge({
      name: "agent_channel_unclaimed_base_units",
      help: "Charged on channels but not yet claimed on-chain, in the token's base units",
      registers: [registry],
    }),
    channelOperations: new Counter({
      name: "agent_channel_operations_total",
      help: "Claims, settles and refunds the node sent, by outcome",
      labelNames: ["operation", "outcome"] as const,
      registers: [registry],
    }),
    channelGas: new Counter({
      name: "agent_channel_gas_total",
      help: "Gas used by the node's claims, settles and refunds",
      labelNames: ["operation"] as const,
      registers: [registry],
    }),
    reconcileChanges: new Counter({
      name: "agent_reconcile_changes_total",
      help: "Peer changes applied by the reconciler",
      labelNames: ["op"] as const,
      registers: [registry],
    }),
  };
}
