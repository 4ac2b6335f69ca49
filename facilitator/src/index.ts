export * from "./app.ts";
export * from "./buildFacilitator.ts";
export * from "./config.ts";
export * from "./settlementLedger.ts";
export * from "./settlementService.ts";
export * from "./startFacilitatorProcess.ts";
