// `wg402 disconnect`, and the desktop's "close what an earlier run left open", as one function: a lease
// recorded in the state file by another process (or an earlier run that died) is closed with the payer's
// signature, and its tunnel, kill switch included, is taken down.
import { chainByNetwork, ErrorCode, type UsageReceipt } from "@wg402/shared";
import type { LocalAccount } from "viem";
import { ClientError, isClientError } from "../errors.ts";
import { closeLease } from "../node/closeLease.ts";
import { type FetchLike, fetchNodeInfo } from "../node/nodeApi.ts";
import { LeaseReceipts } from "../receipts/leaseReceipts.ts";
import type { ReceiptStore } from "../receipts/receiptStore.ts";
import { createTunnelDriver } from "../tunnel/createTunnelDriver.ts";
import { clearSessionState, requireSessionState, writeSessionState } from "./sessionState.ts";

export type ClosedRecordedLease = {
  leaseId: string;
  receipt: UsageReceipt | null;
  /** The node could not be told (the tunnel is down all the same). */
  closeError: ClientError | null;
};

export async function closeRecordedLease(p: {
  statePath: string;
  tunnelsDir: string;
  account: LocalAccount;
  isRoot?: () => boolean;
  fetch?: FetchLike;
  /** Where the node's final receipt is kept, checked against the signer its info advertises now. */
  receipts?: ReceiptStore;
}): Promise<ClosedRecordedLease> {
  const state = await requireSessionState(p.statePath);
  const chain = chainByNetwork(state.network);
  if (!chain) {
    throw new ClientError(`the state file names an unknown network, ${state.network}`, {
      code: ErrorCode.invalid_argument,
    });
  }
  let receipt: UsageReceipt | null = null;
  let closeError: ClientError | null = null;
  // Said before the close: a running connect reading the lease's end between the close and the clear below
  // takes it for this disconnect, not for a lease gone.
  await writeSessionState(p.statePath, { ...state, disconnectingAt: new Date().toISOString() });
  try {
    receipt = await closeLease({
      nodeUrl: state.nodeUrl,
      leaseId: state.leaseId,
      account: p.account,
      chainId: chain.id,
      fetch: p.fetch,
    });
  } catch (error) {
    if (!isClientError(error)) throw error;
    // Already closed or forgotten by the node: nothing left to pay for.
    if (!isClientError(error, ErrorCode.lease_not_active, ErrorCode.lease_not_found)) closeError = error;
  }
  // Cleared right after the close; keeping the receipt waits until then.
  await clearSessionState(p.statePath);
  if (receipt && p.receipts) {
    // No counters of our own here (the session that had them is gone): the signature alone is checked.
    const info = await fetchNodeInfo(state.nodeUrl, { fetch: p.fetch }).catch(() => ({}));
    await new LeaseReceipts({ store: p.receipts, nodeUrl: state.nodeUrl, node: info }).usage(receipt, null);
  }
  if (state.tunnel) {
    const driver = createTunnelDriver(state.tunnel.driver, {
      tunnelsDir: p.tunnelsDir,
      netns: state.tunnel.netns ?? undefined,
      isRoot: p.isRoot,
    });
    await driver.down(state.tunnel);
  }
  return { leaseId: state.leaseId, receipt, closeError };
}
