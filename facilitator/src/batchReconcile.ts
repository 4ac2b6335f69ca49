import { FacilitatorReason } from "@wg402/shared";
import type { SettleResponse } from "@x402/core/types";
import { getAddress, type Hex } from "viem";
import { batchOperationDone, findDepositTx, settledResponse } from "./batchChain.ts";
import type { BatchOperation } from "./batchIdentity.ts";
import type { BatchSettlementPayload } from "./batchPayload.ts";
import { authorizationUsed, type NetworkBackend, txOutcome } from "./chainLookups.ts";
import type { FacilitatorMetrics } from "./metrics.ts";
import type { SettlementLedger, SettlementRecord } from "./settlementLedger.ts";

export type BatchReconcileDeps = {
  ledger: SettlementLedger;
  metrics: FacilitatorMetrics;
  log: {
    info: (o: object, m: string) => void;
    warn: (o: object, m: string) => void;
    error: (o: object, m: string) => void;
  };
  logLookbackBlocks: bigint;
};

/**
 * Resolves a batch-settlement attempt an earlier run left open, as the `exact` reconciler does: a confirmed
 * transaction becomes a success (the answer rebuilt from its receipt), one the chain has forgotten is reported as
 * dropped and never re-sent, and an attempt with no transaction (a crash between the ledger row and the broadcast)
 * is decided from the chain's state.
 */
export async function reconcileBatchRecord(
  record: SettlementRecord,
  backend: NetworkBackend,
  { ledger, metrics, log, logLookbackBlocks }: BatchReconcileDeps,
): Promise<void> {
  const operation = record.operation as BatchOperation;
  if (record.txHash) {
    const outcome = await txOutcome(backend, record.txHash as Hex);
    if (outcome === "success") {
      const receipt = await backend.publicClient.getTransactionReceipt({ hash: record.txHash as Hex });
      const response = await settledResponse(backend, operation, record, receipt);
      ledger.finish(record.key, "success", { response: JSON.stringify(response) });
      if (operation === "deposit") await ledger.pendingBroadcast.delete(record.signature);
      log.info({ key: record.key, tx: record.txHash }, "settlement confirmed late");
    } else if (outcome === "reverted") {
      ledger.finish(record.key, "failed", { errorReason: "transaction_reverted" });
    } else if (outcome === "unknown") {
      ledger.finish(record.key, "dropped", { errorReason: FacilitatorReason.settlement_dropped });
      // Forget the SDK's pointer to the dead deposit, so that a new request for it broadcasts afresh.
      if (operation === "deposit") await ledger.pendingBroadcast.delete(record.signature);
      metrics.droppedSettlements.inc({ network: record.network });
      backend.submitter.resync();
      log.error({ key: record.key, tx: record.txHash }, "settlement transaction dropped");
    } else {
      log.warn({ key: record.key, tx: record.txHash }, "settlement transaction still pending");
    }
    return;
  }
  const request = record.request ? (JSON.parse(record.request) as BatchSettlementPayload) : undefined;
  if (!request) {
    ledger.finish(record.key, "failed", { errorReason: "abandoned_before_broadcast" });
    return;
  }
  let done: boolean;
  let txHash: Hex | undefined;
  if (operation === "deposit") {
    const authorization = {
      asset: getAddress(record.asset),
      payer: getAddress(record.payer),
      nonce: record.nonce as Hex,
    };
    done = await authorizationUsed(backend, authorization);
    txHash = done
      ? await findDepositTx(backend, {
          ...authorization,
          channelId: record.channelId as Hex,
          amount: BigInt(record.amount),
          lookbackBlocks: logLookbackBlocks,
        })
      : undefined;
  } else {
    done = await batchOperationDone(backend, request, record.nonce, record.network);
  }
  if (!done) {
    ledger.finish(record.key, "failed", { errorReason: "abandoned_before_broadcast" });
    return;
  }
  const response: SettleResponse = txHash
    ? await settledResponse(
        backend,
        operation,
        record,
        await backend.publicClient.getTransactionReceipt({ hash: txHash }),
      )
    : {
        success: true,
        transaction: "",
        network: record.network as SettleResponse["network"],
        ...(record.payer ? { payer: record.payer } : {}),
      };
  ledger.finish(record.key, "success", { txHash, response: JSON.stringify(response) });
}
