export * from "./deployLocalStack.ts";
export * from "./deployRegistry.ts";
export * from "./deployToken.ts";
export * from "./devAccounts.ts";
export * from "./escrow.ts";
export * from "./hardhatNode.ts";
export * from "./startLocalChain.ts";
