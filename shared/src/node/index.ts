export * from "./forkService.ts";
export * from "./openLedger.ts";
