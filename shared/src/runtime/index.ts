// Time, retries and ordering, as every package uses them. No Node and no zod: the desktop renderer imports
// this too (`@wg402/shared/runtime`).
export * from "./backoff.ts";
export * from "./clock.ts";
export * from "./serialQueue.ts";
