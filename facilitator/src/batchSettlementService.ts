import { FacilitatorReason } from "@wg402/shared";
import type { x402Facilitator } from "@x402/core/facilitator";
import type { PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse } from "@x402/core/types";
import type { Hex } from "viem";
import {
  batchOperationDone,
  depositSignatureValid,
  findDepositTx,
  receiverTotals,
  settledResponse,
} from "./batchChain.ts";
import { bindingProblem, claimRaisesNothing, refundAuthenticationProblem, type SettleContext } from "./batchGuards.ts";
import {
  type BatchSettlementIdentity,
  claimIdentity,
  depositIdentity,
  refundIdentity,
  settleIdentity,
} from "./batchIdentity.ts";
import {
  type BatchSettlementPayload,
  type EnrichedRefundPayload,
  isEnrichedRefund,
  isPermit2Deposit,
} from "./batchPayload.ts";
import { BatchFacilitatorReason, SdkBatchReason } from "./batchReasons.ts";
import { type BatchReconcileDeps, reconcileBatchRecord } from "./batchReconcile.ts";
import { authorizationUsed, type NetworkBackend, txOutcome } from "./chainLookups.ts";
import { broadcastListener } from "./facilitatorSigner.ts";
import { withStringPayer } from "./responseFields.ts";
import type { SettlementRecord } from "./settlementLedger.ts";

export type BatchSettlementServiceParameters = BatchReconcileDeps & {
  facilitator: x402Facilitator;
  backends: Map<string, NetworkBackend>;
};

type Inflight = { identity: BatchSettlementIdentity; response: Promise<SettleResponse> };
type Outcome = { response: SettleResponse; replayed: boolean };

const payerOf = (payload: BatchSettlementPayload): string | undefined =>
  "channelConfig" in payload ? payload.channelConfig.payer : undefined;

/** This facilitator offers no Permit2 deposit collector: a Permit2 deposit, or requirements asking for one. */
const wantsPermit2 = (payload: BatchSettlementPayload, requirements: PaymentRequirements) =>
  isPermit2Deposit(payload) ||
  (requirements.extra as { assetTransferMethod?: string } | undefined)?.assetTransferMethod === "permit2";

/**
 * `batch-settlement` (escrow channels) on the SDK's facilitator scheme, with what `exact` has around it: each
 * operation settles once (batchIdentity.ts) however often and however concurrently it is asked for, across restarts
 * and against what the chain already did; a ledger row exists before any broadcast; stuck transactions answer
 * `settlement_pending` and dropped ones are reported (batchReconcile.ts), never re-sent on their own. The request
 * reaches here parsed (batchPayload.ts) and past the policy gate (paymentPolicy.ts).
 */
export class BatchSettlementService {
  private readonly p: BatchSettlementServiceParameters;
  private readonly inflight = new Map<string, Inflight>();

  constructor(parameters: BatchSettlementServiceParameters) {
    this.p = parameters;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  has(key: string): boolean {
    return this.inflight.has(key);
  }

  /** Deposits, vouchers and refund requests, as the SDK verifies them; never a transaction. */
  async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const inner = payload.payload as BatchSettlementPayload;
    if (wantsPermit2(inner, requirements)) {
      return { isValid: false, invalidReason: FacilitatorReason.unsupported_payload_type, payer: payerOf(inner) };
    }
    return withStringPayer(await this.p.facilitator.verify(payload, requirements));
  }

  async settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context: SettleContext,
    onInflightChange: () => void,
  ): Promise<Outcome> {
    const inner = payload.payload as BatchSettlementPayload;
    const refuse = (reason: string): Outcome => ({
      response: failure(requirements, reason, payerOf(inner)),
      replayed: false,
    });
    if (wantsPermit2(inner, requirements)) return refuse(FacilitatorReason.unsupported_payload_type);
    // A voucher is settled by the server alone (no transaction); a refund reaches /settle completed by the server.
    if (inner.type === "voucher" || (inner.type === "refund" && !isEnrichedRefund(inner))) {
      return refuse(SdkBatchReason.payload_type);
    }
    if (inner.type === "refund") {
      if (BigInt(inner.amount as string) === 0n) return refuse(SdkBatchReason.refund_amount_invalid);
      const unauthenticated = refundAuthenticationProblem(inner, context);
      if (unauthenticated) return refuse(unauthenticated);
    }
    const unbound = bindingProblem(inner, requirements);
    if (unbound) return refuse(unbound);

    const backend = this.p.backends.get(requirements.network) as NetworkBackend;
    let identity: BatchSettlementIdentity;
    try {
      identity = await this.identityOf(inner, requirements.network, backend);
    } catch (error) {
      this.p.log.warn({ err: error }, "could not read the receiver's totals");
      return refuse(SdkBatchReason.rpc_read_failed);
    }
    const conflict =
      identity.operation === "refund"
        ? BatchFacilitatorReason.refund_nonce_used
        : FacilitatorReason.authorization_nonce_used;

    // An earlier or concurrent attempt answers only for the same operation: one key, the same terms.
    const existing = this.p.ledger.get(identity.key);
    if (existing && existing.status !== "failed" && existing.contentDigest !== identity.contentDigest)
      return refuse(conflict);
    if (existing?.status === "success" && existing.response) {
      return { response: JSON.parse(existing.response) as SettleResponse, replayed: true };
    }
    const running = this.inflight.get(identity.key);
    if (running) {
      if (running.identity.contentDigest !== identity.contentDigest) return refuse(conflict);
      return { response: await running.response, replayed: true };
    }

    const attempt = this.run(identity, inner, payload, requirements, backend);
    this.inflight.set(identity.key, { identity, response: attempt });
    onInflightChange();
    try {
      return { response: await attempt, replayed: false };
    } finally {
      this.inflight.delete(identity.key);
      onInflightChange();
    }
  }

  private async identityOf(
    payload: Exclude<BatchSettlementPayload, { type: "voucher" }>,
    network: string,
    backend: NetworkBackend,
  ): Promise<BatchSettlementIdentity> {
    switch (payload.type) {
      case "deposit":
        return depositIdentity(payload, network);
      case "claim":
        return claimIdentity(payload, network);
      case "refund":
        return refundIdentity(payload as EnrichedRefundPayload, network);
      case "settle":
        return settleIdentity(
          payload,
          network,
          await receiverTotals(backend, payload.receiver as Hex, payload.token as Hex),
        );
    }
  }

  private async run(
    identity: BatchSettlementIdentity,
    inner: BatchSettlementPayload,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    backend: NetworkBackend,
  ): Promise<SettleResponse> {
    try {
      return await this.settleOnChain(identity, inner, payload, requirements, backend);
    } catch (error) {
      // An RPC failure, mostly. A row left pending or submitted is the reconciler's to resolve.
      this.p.log.error({ err: error, key: identity.key }, "batch settlement threw");
      const record = this.p.ledger.get(identity.key);
      if (record?.status === "submitted" && record.txHash) return pending(requirements, identity, record.txHash);
      return failure(requirements, FacilitatorReason.unexpected_error, identity.payer);
    }
  }

  private async settleOnChain(
    identity: BatchSettlementIdentity,
    inner: BatchSettlementPayload,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    backend: NetworkBackend,
  ): Promise<SettleResponse> {
    const { ledger } = this.p;
    const succeed = async (response: SettleResponse): Promise<SettleResponse> => {
      ledger.finish(identity.key, "success", { txHash: response.transaction, response: JSON.stringify(response) });
      // The SDK's pointer to a broadcast deposit (kept for a retry to reconcile against) is no longer needed.
      if (identity.operation === "deposit") await ledger.pendingBroadcast.delete(identity.signature);
      return response;
    };
    const landed = async (txHash: Hex) =>
      succeed(
        await settledResponse(
          backend,
          identity.operation,
          identity,
          await backend.publicClient.getTransactionReceipt({ hash: txHash }),
        ),
      );

    // A previous run broadcast this operation but never learned the outcome (crash, timeout): ask the chain.
    const previous = ledger.get(identity.key);
    if (previous?.status === "submitted" && previous.txHash) {
      const outcome = await txOutcome(backend, previous.txHash as Hex);
      if (outcome === "success") return landed(previous.txHash as Hex);
      if (outcome === "pending") return pending(requirements, identity, previous.txHash);
    }
    if (inner.type === "deposit") {
      const spent = await this.depositAlreadySpent(identity, inner, requirements, backend);
      if (spent?.refusal) return spent.refusal;
      if (spent) {
        ledger.begin(this.attemptOf(identity, inner));
        return landed(spent.txHash);
      }
    } else if (previous?.status === "pending") {
      // A claim, refund or settle that crashed between its row and its broadcast may have gone out all the same.
      if (await batchOperationDone(backend, inner, identity.nonce, identity.network)) {
        return succeed({
          success: true,
          transaction: "",
          network: requirements.network,
          ...(identity.payer ? { payer: identity.payer } : {}),
        });
      }
    }
    if (inner.type === "claim" && (await claimRaisesNothing(backend, inner, identity.network))) {
      return failure(requirements, BatchFacilitatorReason.nothing_to_claim);
    }

    // The row is written once the SDK has checked the operation and simulated it on-chain, just before it is
    // sent: junk leaves no trace, and no transaction exists without a row.
    const result = withStringPayer(
      await broadcastListener.run(
        {
          beforeSend: () => ledger.begin(this.attemptOf(identity, inner)),
          sent: (hash) => ledger.markSubmitted(identity.key, hash),
        },
        () => this.p.facilitator.settle(payload, requirements),
      ),
    );
    if (result.success) return succeed(result);

    const after = ledger.get(identity.key);
    if (after?.status === "submitted" && after.txHash) {
      // Broadcast but not confirmed in time: kept as submitted for the reconciler and later retries.
      const outcome = await txOutcome(backend, after.txHash as Hex);
      if (outcome === "success") return landed(after.txHash as Hex);
      if (outcome === "pending" || outcome === "unknown") {
        this.p.log.warn({ key: identity.key, tx: after.txHash, reason: result.errorReason }, "settlement unconfirmed");
        return pending(requirements, identity, after.txHash);
      }
    }
    // A no-op unless a row exists: this operation got as far as a send, or an earlier attempt did.
    ledger.finish(identity.key, "failed", {
      errorReason: result.errorReason ?? "unknown",
      txHash: result.transaction || undefined,
    });
    return result;
  }

  /**
   * The deposit authorization may already be spent: by this facilitator before a crash, or by another relayer.
   * Then find that deposit rather than send one that can only revert — once the payer's signature is known to be
   * genuine, so that a copy of the public calldata with a junk signature is never recorded in its place.
   */
  private async depositAlreadySpent(
    identity: BatchSettlementIdentity,
    inner: Extract<BatchSettlementPayload, { type: "deposit" }>,
    requirements: PaymentRequirements,
    backend: NetworkBackend,
  ): Promise<{ txHash: Hex; refusal?: undefined } | { refusal: SettleResponse } | undefined> {
    const authorization = { asset: identity.asset as Hex, payer: identity.payer as Hex, nonce: identity.nonce as Hex };
    let spent: boolean;
    try {
      spent = await authorizationUsed(backend, authorization);
    } catch (error) {
      // A token that cannot answer is left to the SDK, whose checks come first.
      this.p.log.warn({ err: error, asset: identity.asset }, "could not read the authorization state");
      return undefined;
    }
    if (!spent) return undefined;
    const genuine = await depositSignatureValid(
      backend,
      inner,
      requirements.extra,
      authorization.nonce,
      identity.network,
    );
    if (!genuine) {
      return { refusal: failure(requirements, SdkBatchReason.receive_authorization_signature, identity.payer) };
    }
    const txHash = await findDepositTx(backend, {
      ...authorization,
      channelId: identity.channelId as Hex,
      amount: BigInt(identity.amount),
      lookbackBlocks: this.p.logLookbackBlocks,
    });
    return txHash
      ? { txHash }
      : { refusal: failure(requirements, FacilitatorReason.authorization_nonce_used, identity.payer) };
  }

  private attemptOf(identity: BatchSettlementIdentity, inner: BatchSettlementPayload) {
    return { ...identity, request: JSON.stringify(inner) };
  }

  reconcile(record: SettlementRecord, backend: NetworkBackend): Promise<void> {
    return reconcileBatchRecord(record, backend, this.p);
  }

  /** Resolves once every settlement in flight has finished. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()].map((i) => i.response));
  }
}

function failure(requirements: PaymentRequirements, reason: string, payer?: string): SettleResponse {
  return {
    success: false,
    errorReason: reason,
    transaction: "",
    network: requirements.network,
    ...(payer ? { payer } : {}),
  };
}

/** Broadcast, not confirmed yet: the same request later gets the outcome. */
function pending(requirements: PaymentRequirements, identity: BatchSettlementIdentity, txHash: string): SettleResponse {
  return { ...failure(requirements, FacilitatorReason.settlement_pending, identity.payer), transaction: txHash };
}
