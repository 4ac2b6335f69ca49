export * from "./app.ts";
export * from "./buildAgent.ts";
export * from "./clock.ts";
export * from "./config.ts";
export * from "./startAgentProcess.ts";
