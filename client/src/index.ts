// The wg402 client SDK: what scripts and the desktop app import. The CLI (`wg402`) is built on it.
export * from "./autoRenewer.ts";
export { ExitCode, exitCodeFor } from "./cli/exitCodes.ts";
export type { CliIo } from "./cli/io.ts";
export { run as runCli } from "./cli/main.ts";
export * from "./clock.ts";
export * from "./closeLease.ts";
export * from "./closeRecordedLease.ts";
export * from "./errors.ts";
export * from "./home.ts";
export * from "./leaseClient.ts";
export * from "./money.ts";
export {
  type FetchLike,
  fetchLease,
  fetchNodeInfo,
  fetchQuote,
  type NodeQuote,
  normalizeNodeUrl,
} from "./nodeApi.ts";
export * from "./paymentChain.ts";
export * from "./sessionState.ts";
export * from "./spendBudget.ts";
export * from "./tunnel/createTunnelDriver.ts";
export * from "./tunnel/exportDriver.ts";
export * from "./tunnel/types.ts";
export * from "./tunnel/userspaceDriver.ts";
export * from "./tunnel/wgQuickConfig.ts";
export * from "./tunnel/wgQuickDriver.ts";
export * from "./typedEmitter.ts";
export * from "./vpnSession.ts";
export * from "./wallet/balances.ts";
export * from "./wallet/faucet.ts";
export * from "./wallet/keystoreWallet.ts";
export * from "./wallet/loadWallet.ts";
