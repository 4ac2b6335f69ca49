// A kept receipt checked again, now, against the signer the node advertised when the receipt came: what
// `wg402 receipts --verify` and the app's export report.
import { verifyUsageReceipt } from "@wg402/shared";
import { checkPaymentReceipt } from "./paymentReceiptCheck.ts";
import type { ReceiptEntry } from "./receiptStore.ts";

export type KeptReceiptVerdict = { valid: boolean; problem: string | null };

/** The signature checked again, now, against the signer the node advertised when the receipt came. */
export async function verifyKeptReceipt(entry: ReceiptEntry): Promise<KeptReceiptVerdict> {
  if (entry.kind === "payment") {
    if (!entry.receipt) return { valid: false, problem: "the node sent no receipt" };
    const verdict = await checkPaymentReceipt(entry.receipt, { signer: entry.expectedSigner, payer: entry.payer });
    return { valid: verdict.valid, problem: verdict.problem };
  }
  const verdict = await verifyUsageReceipt(entry.receipt, entry.expectedSigner);
  if (!verdict.valid) return { valid: false, problem: verdict.reason.replace("_", " ") };
  if (!entry.expectedSigner) return { valid: false, problem: "the node advertised no offerSigner" };
  // A valid signature over bytes that disagreed with ours is still evidence of a mismatch, not a pass.
  if (entry.check.bytes && !(entry.check.bytes.up.ok && entry.check.bytes.down.ok)) {
    return { valid: false, problem: "signed, but its bytes disagree with our counters" };
  }
  return { valid: true, problem: null };
}
