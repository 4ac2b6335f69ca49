// What a LeaseClient does with the receipts of one node: checks each against the node's advertised signer and
// keeps it (when it has a store), so the session code only hands over its own counters at the close.
import type { NodeInfo, UsageReceipt } from "@wg402/shared";
import type { OfferPolicy } from "../node/offerCheck.ts";
import type { PaymentReceipt } from "../node/payForLease.ts";
import type { ReceiptStore } from "./receiptStore.ts";
import { type ClientCounters, checkUsageReceipt, type UsageCheck } from "./usageCheck.ts";

/** What of the node's info a receipt is checked against (all of it may be unknown: the node is gone). */
export type SignerFacts = Partial<
  Pick<NodeInfo, "offerSigner" | "meterIntervalSeconds" | "pricePerMinute" | "secondsPerMinute" | "data">
>;

/** LeaseClient.close: the refund (channels) and this device's counters for the node's peer (null: none). */
export type LeaseCloseOptions = { refund?: boolean; counters?: ClientCounters | null };

export class LeaseReceipts {
  private readonly store: ReceiptStore | null;
  private readonly nodeUrl: string;
  private readonly facts: SignerFacts;
  private readonly requireSigned: boolean;
  private lastUsage: UsageCheck | null = null;

  /**
   * `node`'s signer is the one read when the client connected: a node that later advertises another key does
   * not get its offers or receipts accepted under it.
   */
  constructor(p: { store?: ReceiptStore | null; nodeUrl: string; node: SignerFacts; requireSigned?: boolean }) {
    this.store = p.store ?? null;
    this.nodeUrl = p.nodeUrl;
    const { offerSigner, meterIntervalSeconds, pricePerMinute, secondsPerMinute, data } = p.node;
    this.facts = { offerSigner, meterIntervalSeconds, pricePerMinute, secondsPerMinute, data };
    this.requireSigned = p.requireSigned === true;
  }

  /** What payForLease checks each offer against. */
  get offerPolicy(): OfferPolicy {
    return { signer: this.facts.offerSigner, requireSigned: this.requireSigned };
  }

  /** The check of the last usage receipt this client received. */
  get lastUsageCheck(): UsageCheck | null {
    return this.lastUsage;
  }

  async payment(leaseId: string, payment: PaymentReceipt): Promise<void> {
    await this.store?.add({
      kind: "payment",
      savedAt: new Date().toISOString(),
      nodeUrl: this.nodeUrl,
      leaseId,
      expectedSigner: this.facts.offerSigner ?? null,
      scheme: payment.scheme,
      amount: payment.amount.toString(),
      txHash: payment.txHash,
      payer: payment.payer,
      offer: payment.offer ?? null,
      receipt: payment.signedReceipt?.receipt ?? null,
      verdict: payment.signedReceipt?.verdict ?? null,
    });
  }

  /** Checks the final receipt (signature, and bytes against `counters` when given) and keeps both. */
  async usage(receipt: UsageReceipt, counters: ClientCounters | null): Promise<UsageCheck> {
    const node = this.facts;
    const check = await checkUsageReceipt(receipt, {
      signer: node.offerSigner,
      counters,
      meterIntervalSeconds: node.meterIntervalSeconds,
      prices: node,
    });
    this.lastUsage = check;
    await this.store?.add({
      kind: "usage",
      savedAt: new Date().toISOString(),
      nodeUrl: this.nodeUrl,
      leaseId: receipt.leaseId,
      expectedSigner: node.offerSigner ?? null,
      receipt,
      check,
    });
    return check;
  }
}
