export * from "./chains.ts";
export * from "./config.ts";
export * from "./eip3009.ts";
export * from "./errors.ts";
export * from "./generated/abis.ts";
export * from "./keystore.ts";
export * from "./lease.ts";
export * from "./localStack.ts";
