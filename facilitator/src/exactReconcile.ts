import { FacilitatorReason } from "@wg402/shared";
import type { SettleResponse } from "@x402/core/types";
import type { Hex } from "viem";
import type { BatchReconcileDeps } from "./batchReconcile.ts";
import { authorizationUsed, findAuthorizationTx, type NetworkBackend, txOutcome } from "./chainLookups.ts";
import type { SettlementRecord } from "./settlementLedger.ts";

/**
 * Resolves an `exact` settlement an earlier run left open: a confirmed tx becomes a success, a tx the chain has
 * forgotten is reported as dropped (never silently re-sent), and an attempt that never broadcast is decided by the
 * authorization's state on-chain.
 */
export async function reconcileExactRecord(
  record: SettlementRecord,
  backend: NetworkBackend,
  { ledger, metrics, log, logLookbackBlocks }: BatchReconcileDeps,
): Promise<void> {
  const identity = {
    ...record,
    asset: record.asset as Hex,
    payer: record.payer as Hex,
    payTo: record.payTo as Hex,
    nonce: record.nonce as Hex,
  };
  if (record.txHash) {
    const outcome = await txOutcome(backend, record.txHash as Hex);
    if (outcome === "success") {
      const response: SettleResponse = {
        success: true,
        transaction: record.txHash,
        network: record.network as SettleResponse["network"],
        payer: record.payer,
      };
      ledger.finish(record.key, "success", { response: JSON.stringify(response) });
      log.info({ key: record.key, tx: record.txHash }, "settlement confirmed late");
    } else if (outcome === "reverted") {
      ledger.finish(record.key, "failed", { errorReason: "transaction_reverted" });
    } else if (outcome === "unknown") {
      ledger.finish(record.key, "dropped", { errorReason: FacilitatorReason.settlement_dropped });
      // Forget the SDK's pointer to the dead tx, so a retry of this payment broadcasts afresh.
      await ledger.pendingBroadcast.delete(record.signature);
      metrics.droppedSettlements.inc({ network: record.network });
      backend.submitter.resync();
      log.error({ key: record.key, tx: record.txHash }, "settlement transaction dropped");
    } else {
      log.warn({ key: record.key, tx: record.txHash }, "settlement transaction still pending");
    }
  } else if (await authorizationUsed(backend, identity)) {
    const txHash = await findAuthorizationTx(backend, identity, logLookbackBlocks);
    const response: SettleResponse = {
      success: true,
      transaction: txHash ?? "",
      network: record.network as SettleResponse["network"],
      payer: record.payer,
    };
    ledger.finish(record.key, "success", { txHash: txHash ?? undefined, response: JSON.stringify(response) });
  } else {
    ledger.finish(record.key, "failed", { errorReason: "abandoned_before_broadcast" });
  }
}
