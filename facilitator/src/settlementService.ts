import { FacilitatorReason, type PaymentIdentity, paymentIdentityOf } from "@wg402/shared";
import type { x402Facilitator } from "@x402/core/facilitator";
import type { PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse } from "@x402/core/types";
import type { Hex } from "viem";
import type { SettleContext } from "./batchGuards.ts";
import { BatchSettlementService } from "./batchSettlementService.ts";
import {
  authorizationSignatureProblem,
  authorizationUsed,
  findAuthorizationTx,
  type NetworkBackend,
  txOutcome,
} from "./chainLookups.ts";
import { reconcileExactRecord } from "./exactReconcile.ts";
import { broadcastListener } from "./facilitatorSigner.ts";
import { type FacilitatorMetrics, metricLabelsOf } from "./metrics.ts";
import type { PaymentPolicy } from "./paymentPolicy.ts";
import { paymentMismatch, termsMismatch } from "./requirementMatch.ts";
import { payerOf, withStringPayer } from "./responseFields.ts";
import type { SettlementLedger } from "./settlementLedger.ts";

export type { NetworkBackend };

export type SettlementServiceParameters = {
  facilitator: x402Facilitator;
  ledger: SettlementLedger;
  policy: PaymentPolicy;
  backends: Map<string, NetworkBackend>;
  metrics: FacilitatorMetrics;
  log: {
    info: (o: object, m: string) => void;
    warn: (o: object, m: string) => void;
    error: (o: object, m: string) => void;
  };
  confirmationTimeoutMs: number;
  logLookbackBlocks: bigint;
};

/** The payment's identity if it is an EIP-3009 `exact` payment (the only kind with a single-use nonce). */
function exactIdentityOf(payload: PaymentPayload): PaymentIdentity | undefined {
  const result = paymentIdentityOf(payload);
  return result.ok ? result.identity : undefined;
}

type Inflight = { identity: PaymentIdentity; response: Promise<SettleResponse> };

/**
 * Verify and settle on top of the x402 SDK's facilitator (`exact`, and `batch-settlement` through
 * {@link BatchSettlementService}), adding what an operator needs: a policy gate, and settlement that is
 * idempotent per payment — concurrently (one promise per payment), across restarts (the ledger), and against
 * transfers the chain already executed (the authorization's state).
 */
export class SettlementService {
  private readonly p: SettlementServiceParameters;
  private readonly inflight = new Map<string, Inflight>();
  private readonly batch: BatchSettlementService;

  constructor(parameters: SettlementServiceParameters) {
    this.p = parameters;
    this.batch = new BatchSettlementService(parameters);
  }

  private updatePending(): void {
    this.p.metrics.pendingSettlements.set(this.inflight.size + this.batch.inflightCount);
  }

  async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const started = performance.now();
    const result = await this.verifyUnmetered(payload, requirements);
    const labels = metricLabelsOf(payload, requirements, "verify");
    this.p.metrics.verifyDuration.observe(labels, (performance.now() - started) / 1000);
    this.p.metrics.verifications.inc({
      ...labels,
      outcome: result.isValid ? "valid" : "invalid",
      reason: result.isValid ? "" : (result.invalidReason ?? ""),
    });
    return result;
  }

  private async verifyUnmetered(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const refused = this.p.policy(payload, requirements);
    if (refused) return { isValid: false, invalidReason: refused, payer: payerOf(payload) };
    if (requirements.scheme === "batch-settlement") {
      try {
        return await this.batch.verify(payload, requirements);
      } catch (error) {
        this.p.log.error({ err: error }, "verify threw");
        return { isValid: false, invalidReason: FacilitatorReason.unexpected_error, payer: payerOf(payload) };
      }
    }
    const identity = exactIdentityOf(payload);
    const mismatch = identity && paymentMismatch(identity, payload.accepted, requirements);
    if (mismatch) return { isValid: false, invalidReason: mismatch, payer: identity.payer };
    try {
      return withStringPayer(await this.p.facilitator.verify(payload, requirements));
    } catch (error) {
      this.p.log.error({ err: error }, "verify threw");
      return { isValid: false, invalidReason: FacilitatorReason.unexpected_error, payer: payerOf(payload) };
    }
  }

  /** `context.authenticated`: the request carried a valid API key (refunds the facilitator signs need one). */
  async settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context: SettleContext = { authenticated: false },
  ): Promise<SettleResponse> {
    const started = performance.now();
    const { response, replayed } = await this.settleOnce(payload, requirements, context);
    const labels = metricLabelsOf(payload, requirements, "settle");
    this.p.metrics.settleDuration.observe(labels, (performance.now() - started) / 1000);
    this.p.metrics.settlements.inc({
      ...labels,
      outcome: response.success ? (replayed ? "replayed" : "success") : "failure",
      reason: response.success ? "" : (response.errorReason ?? ""),
    });
    return response;
  }

  private async settleOnce(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    context: SettleContext,
  ): Promise<{ response: SettleResponse; replayed: boolean }> {
    const failure = (reason: string, payer = payerOf(payload)): SettleResponse => ({
      success: false,
      errorReason: reason,
      transaction: "",
      network: requirements.network,
      payer,
    });
    const refused = this.p.policy(payload, requirements);
    if (refused) return { response: failure(refused), replayed: false };
    if (requirements.scheme === "batch-settlement") {
      try {
        return await this.batch.settle(payload, requirements, context, () => this.updatePending());
      } catch (error) {
        this.p.log.error({ err: error }, "batch settlement threw");
        return { response: failure(FacilitatorReason.unexpected_error), replayed: false };
      }
    }
    const identity = exactIdentityOf(payload);
    // Only EIP-3009 payments carry a single-use nonce to key idempotency on.
    if (!identity) return { response: failure(FacilitatorReason.unsupported_payload_type), replayed: false };

    const mismatch = paymentMismatch(identity, payload.accepted, requirements);
    if (mismatch) return { response: failure(mismatch, identity.payer), replayed: false };

    // An earlier or concurrent attempt answers only for the payment it was made for: the same signature,
    // and terms equal to these requirements (the payload's own fields can be rewritten to match them).
    const existing = this.p.ledger.get(identity.key);
    if (
      existing &&
      existing.signature.toLowerCase() !== identity.signature.toLowerCase() &&
      existing.status !== "failed"
    ) {
      return { response: failure(FacilitatorReason.authorization_nonce_used, identity.payer), replayed: false };
    }
    if (existing && existing.status !== "failed" && existing.status !== "dropped") {
      const differs = termsMismatch(existing, requirements);
      if (differs) return { response: failure(differs, identity.payer), replayed: false };
    }
    if (existing?.status === "success" && existing.response) {
      return { response: JSON.parse(existing.response) as SettleResponse, replayed: true };
    }
    const running = this.inflight.get(identity.key);
    if (running) {
      const differs =
        running.identity.signature.toLowerCase() !== identity.signature.toLowerCase()
          ? FacilitatorReason.authorization_nonce_used
          : termsMismatch(running.identity, requirements);
      if (differs) return { response: failure(differs, identity.payer), replayed: false };
      return { response: await running.response, replayed: true };
    }

    const attempt = this.runSettlement(identity, payload, requirements);
    this.inflight.set(identity.key, { identity, response: attempt });
    this.updatePending();
    try {
      return { response: await attempt, replayed: false };
    } finally {
      this.inflight.delete(identity.key);
      this.updatePending();
    }
  }

  private async runSettlement(
    identity: PaymentIdentity,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<SettleResponse> {
    try {
      return await this.settleOnChain(identity, payload, requirements);
    } catch (error) {
      // An RPC failure, mostly. A row left pending or submitted is the reconciler's to resolve.
      this.p.log.error({ err: error, key: identity.key }, "settlement threw");
      const record = this.p.ledger.get(identity.key);
      const pending = record?.status === "submitted" && record.txHash;
      return {
        success: false,
        errorReason: pending ? FacilitatorReason.settlement_pending : FacilitatorReason.unexpected_error,
        transaction: pending ? (record.txHash as string) : "",
        network: requirements.network,
        payer: identity.payer,
      };
    }
  }

  private async settleOnChain(
    identity: PaymentIdentity,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<SettleResponse> {
    const backend = this.p.backends.get(identity.network) as NetworkBackend;
    const { ledger } = this.p;
    const succeed = (transaction: string): SettleResponse => {
      const response: SettleResponse = {
        success: true,
        transaction,
        network: requirements.network,
        payer: identity.payer,
      };
      ledger.finish(identity.key, "success", { txHash: transaction, response: JSON.stringify(response) });
      return response;
    };

    // A previous run broadcast this payment but never learned the outcome (crash, timeout): ask the chain.
    const previous = ledger.get(identity.key);
    if (previous?.status === "submitted" && previous.txHash) {
      const outcome = await txOutcome(backend, previous.txHash as Hex);
      if (outcome === "success") return succeed(previous.txHash);
      if (outcome === "pending") {
        return {
          success: false,
          errorReason: FacilitatorReason.settlement_pending,
          transaction: previous.txHash,
          network: requirements.network,
          payer: identity.payer,
        };
      }
    }
    // The authorization may already be spent: by us before a crash, or by another relayer. Then the payment
    // did reach payTo; find the transaction rather than sending one that can only revert.
    if (await this.spentOnChain(backend, identity)) {
      const refused = await authorizationSignatureProblem(backend, payload, requirements);
      const txHash = refused ? undefined : await findAuthorizationTx(backend, identity, this.p.logLookbackBlocks);
      if (txHash) {
        ledger.begin(identity);
        return succeed(txHash);
      }
      return {
        success: false,
        errorReason: refused ?? FacilitatorReason.authorization_nonce_used,
        transaction: "",
        network: requirements.network,
        payer: identity.payer,
      };
    }

    // The row is written only once the SDK has verified the payment and gas estimation has simulated the
    // transfer, just before it is sent: junk leaves no trace, and no transaction exists without a row.
    const result = withStringPayer(
      await broadcastListener.run(
        { beforeSend: () => ledger.begin(identity), sent: (hash) => ledger.markSubmitted(identity.key, hash) },
        () => this.p.facilitator.settle(payload, requirements),
      ),
    );
    if (result.success) return succeed(result.transaction);

    const after = ledger.get(identity.key);
    if (after?.status === "submitted" && after.txHash) {
      // Broadcast but not confirmed in time: keep it as submitted for the watchdog and later retries.
      const outcome = await txOutcome(backend, after.txHash as Hex);
      if (outcome === "success") return succeed(after.txHash);
      if (outcome === "pending" || outcome === "unknown") {
        this.p.log.warn({ key: identity.key, tx: after.txHash, reason: result.errorReason }, "settlement unconfirmed");
        return { ...result, errorReason: FacilitatorReason.settlement_pending, transaction: after.txHash };
      }
    }
    // A no-op unless a row exists: this payment got as far as a send, or an earlier attempt did.
    ledger.finish(identity.key, "failed", {
      errorReason: result.errorReason ?? "unknown",
      txHash: result.transaction || undefined,
    });
    return result;
  }

  /** A token that cannot answer (junk asset, RPC failure) is left to the SDK, whose checks come first. */
  private async spentOnChain(backend: NetworkBackend, identity: PaymentIdentity): Promise<boolean> {
    try {
      return await authorizationUsed(backend, identity);
    } catch (error) {
      this.p.log.warn({ err: error, asset: identity.asset }, "could not read the authorization state");
      return false;
    }
  }

  /**
   * Resolves what earlier runs left open (exactReconcile.ts, batchReconcile.ts): a confirmed tx becomes a success,
   * a tx the chain has forgotten is reported as dropped (never silently re-sent), and an attempt that never
   * broadcast is decided from the chain's state.
   */
  async reconcileUnfinished(olderThanMs = this.p.confirmationTimeoutMs): Promise<void> {
    for (const record of this.p.ledger.unfinished(olderThanMs)) {
      if (this.inflight.has(record.key) || this.batch.has(record.key)) continue;
      const backend = this.p.backends.get(record.network);
      if (!backend) continue;
      try {
        if (record.scheme === "batch-settlement") await this.batch.reconcile(record, backend);
        else await reconcileExactRecord(record, backend, this.p);
      } catch (error) {
        this.p.log.warn({ err: error, key: record.key }, "could not reconcile settlement");
      }
    }
  }

  /** Resolves once every settlement in flight has finished. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()].map((i) => i.response));
    await this.batch.drain();
  }
}
