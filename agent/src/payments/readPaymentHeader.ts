import { ErrorCode } from "@wg402/shared";
import { HttpError } from "@wg402/shared/http";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import type { Request } from "express";

export const PAYMENT_HEADER = "payment-signature";

/**
 * The x402 v2 payment a request carries, or undefined when it carries none. A header that is not base64
 * JSON of a payment payload is a client error (400), not something to hand to the SDK.
 */
export function readPaymentHeader(req: Request): PaymentPayload | undefined {
  const header = req.header(PAYMENT_HEADER);
  if (header === undefined) return undefined;
  let payload: PaymentPayload;
  try {
    payload = decodePaymentSignatureHeader(header.trim());
  } catch {
    throw new HttpError(
      400,
      ErrorCode.invalid_payment_header,
      "the PAYMENT-SIGNATURE header is not base64-encoded JSON",
    );
  }
  if (
    typeof payload !== "object" ||
    payload === null ||
    typeof payload.accepted !== "object" ||
    payload.accepted === null ||
    typeof payload.payload !== "object"
  ) {
    throw new HttpError(
      400,
      ErrorCode.invalid_payment_header,
      "the PAYMENT-SIGNATURE header is not an x402 payment payload",
    );
  }
  return payload;
}
