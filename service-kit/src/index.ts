export * from "./gracefulShutdown.ts";
export * from "./httpErrors.ts";
export * from "./observeRequests.ts";
export * from "./operationalRoutes.ts";
