export * from "./app.ts";
export * from "./buildAgent.ts";
export * from "./config.ts";
export * from "./leases/leaseService.ts";
export * from "./ledger/ipv4.ts";
export * from "./ledger/leaseStore.ts";
export * from "./metrics.ts";
export * from "./startAgentProcess.ts";
