// The x402 `offer-receipt` receipt a paid answer carries in its PAYMENT-RESPONSE header: the node's signed
// word that this payer paid for this resource. Checked when it arrives and again by `wg402 receipts --verify`.
import { EvmAddress } from "@wg402/shared";
import {
  extractReceiptFromResponse,
  type SignedReceipt,
  verifyReceiptSignatureEIP712,
} from "@x402/extensions/offer-receipt";
import { type Hex, isAddressEqual } from "viem";
import { z } from "zod";

/** The extension's receipt as it travels (EIP-712: payload and signature; JWS: the compact string alone). */
export const X402Receipt = z.object({
  format: z.enum(["eip712", "jws"]),
  payload: z
    .object({
      version: z.number().int(),
      network: z.string(),
      resourceUrl: z.string(),
      payer: z.string(),
      issuedAt: z.number().int(),
      transaction: z.string(),
    })
    .optional(),
  signature: z.string(),
});
export type X402Receipt = z.infer<typeof X402Receipt>;

export const PaymentReceiptVerdict = z.object({
  valid: z.boolean(),
  signer: EvmAddress.nullable(),
  /** Why it is not valid; null when it is. */
  problem: z.string().nullable(),
});
export type PaymentReceiptVerdict = z.infer<typeof PaymentReceiptVerdict>;

/** Valid: an EIP-712 receipt, signed by the node's advertised signer, for this payer. Never throws. */
export async function checkPaymentReceipt(
  receipt: X402Receipt,
  expected: { signer: string | null | undefined; payer: string },
): Promise<PaymentReceiptVerdict> {
  if (receipt.format !== "eip712" || !receipt.payload) {
    return { valid: false, signer: null, problem: "not an EIP-712 receipt" };
  }
  let signer: Hex;
  try {
    signer = (await verifyReceiptSignatureEIP712(receipt as SignedReceipt & { format: "eip712" })).signer;
  } catch {
    return { valid: false, signer: null, problem: "the signature does not verify" };
  }
  if (!expected.signer) return { valid: false, signer, problem: "the node advertises no offerSigner" };
  if (!isAddressEqual(signer, expected.signer as Hex)) {
    return { valid: false, signer, problem: `signed by ${signer}, not the node's ${expected.signer}` };
  }
  if (receipt.payload.payer.toLowerCase() !== expected.payer.toLowerCase()) {
    return { valid: false, signer, problem: `issued to ${receipt.payload.payer}, not to ${expected.payer}` };
  }
  return { valid: true, signer, problem: null };
}

/** The receipt of a paid answer and its verdict; null when the node sent none. */
export async function readPaymentReceipt(
  response: Response,
  expected: { signer: string | null | undefined; payer: string },
): Promise<{ receipt: X402Receipt; verdict: PaymentReceiptVerdict } | null> {
  const parsed = X402Receipt.safeParse(extractReceiptFromResponse(response));
  if (!parsed.success) return null;
  return { receipt: parsed.data, verdict: await checkPaymentReceipt(parsed.data, expected) };
}
