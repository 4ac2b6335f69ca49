// The wg402 client SDK: what scripts and the desktop app import. The CLI (`wg402`) is built on it.

export * from "./chain/money.ts";
export * from "./chain/paymentChain.ts";
export * from "./chain/spendBudget.ts";
export * from "./channel/channelEscrow.ts";
export * from "./channel/channelIndex.ts";
export * from "./channel/channelRefund.ts";
export * from "./channel/channelScheme.ts";
export * from "./channel/channelStorage.ts";
export * from "./channel/channelTerms.ts";
export * from "./channel/renewalAllowance.ts";
export { ExitCode, exitCodeFor } from "./cli/exitCodes.ts";
export type { CliIo } from "./cli/io.ts";
export { run as runCli } from "./cli/main.ts";
export * from "./discovery/crossCheck.ts";
export * from "./discovery/discoverNodes.ts";
export * from "./discovery/indexCache.ts";
export { LATENCY_SLACK_FACTOR, LATENCY_SLACK_MS, latencyCutoff } from "./discovery/pickBest.ts";
export * from "./discovery/probeNodes.ts";
export * from "./discovery/registryIndex.ts";
export * from "./discovery/registrySource.ts";
export * from "./errors.ts";
export * from "./files/home.ts";
export * from "./files/secretFile.ts";
export * from "./node/closeLease.ts";
export * from "./node/leaseClient.ts";
export {
  type FetchLike,
  fetchLease,
  fetchNodeInfo,
  fetchQuote,
  type NodeQuote,
  normalizeNodeUrl,
} from "./node/nodeApi.ts";
export * from "./node/offerCheck.ts";
export * from "./node/openLeaseClient.ts";
export * from "./node/paymentKind.ts";
export * from "./node/probeNode.ts";
export * from "./node/regionName.ts";
export { countryName } from "./node/regionName.ts";
export * from "./receipts/leaseReceipts.ts";
export * from "./receipts/paymentReceiptCheck.ts";
export * from "./receipts/receiptStore.ts";
export * from "./receipts/usageCheck.ts";
export * from "./receipts/verifyKept.ts";
export * from "./runtime/index.ts";
export * from "./session/autoRenewer.ts";
export * from "./session/capCountdown.ts";
export * from "./session/closeRecordedLease.ts";
export * from "./session/linkMonitor.ts";
export * from "./session/openSession.ts";
export * from "./session/sessionHistory.ts";
export * from "./session/sessionPlan.ts";
export * from "./session/sessionState.ts";
export type * from "./session/sessionTypes.ts";
export * from "./session/vpnSession.ts";
export * from "./tunnel/createTunnelDriver.ts";
export * from "./tunnel/exportDriver.ts";
export * from "./tunnel/prerequisites.ts";
export * from "./tunnel/types.ts";
export * from "./tunnel/userspaceDriver.ts";
export * from "./tunnel/wgQuickConfig.ts";
export * from "./tunnel/wgQuickDriver.ts";
export * from "./wallet/addressQr.ts";
export * from "./wallet/balances.ts";
export * from "./wallet/faucet.ts";
export * from "./wallet/keystoreWallet.ts";
export * from "./wallet/loadWallet.ts";
export * from "./wallet/mnemonic.ts";
export * from "./wallet/passphrasePolicy.ts";
