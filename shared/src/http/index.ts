export * from "./httpErrors.ts";
export * from "./observeRequests.ts";
