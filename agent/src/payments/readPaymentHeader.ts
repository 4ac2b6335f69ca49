import { BaseError, ErrorCode, paymentIdentityOf } from "@wg402/shared";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import { PaymentPayloadV2Schema } from "@x402/core/schemas";
import type { PaymentPayload } from "@x402/core/types";
import type { Request } from "express";
import { type AgentPaymentIdentity, CHANNEL_SCHEME, channelIdentityOf } from "../channels/channelIdentity.ts";

export const PAYMENT_HEADER = "payment-signature";

export type RequestPayment = { payload: PaymentPayload; identity: AgentPaymentIdentity };

const invalid = (message: string) => new BaseError(message, { code: ErrorCode.invalid_payment_header });

/**
 * The x402 v2 payment a request carries, or undefined when it carries none. Every field is checked by
 * schema (the SDK's envelope, then the scheme's payload) before anything else sees it, so junk is a 400
 * here and never reaches the facilitator, the ledger or a price.
 */
export function readPaymentHeader(req: Request, schemes: readonly string[] = ["exact"]): RequestPayment | undefined {
  const header = req.header(PAYMENT_HEADER);
  if (header === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = decodePaymentSignatureHeader(header.trim());
  } catch {
    throw invalid("the PAYMENT-SIGNATURE header is not base64-encoded JSON");
  }
  const envelope = PaymentPayloadV2Schema.safeParse(decoded);
  if (!envelope.success) throw invalid("the PAYMENT-SIGNATURE header is not an x402 v2 payment payload");
  const payload = envelope.data as PaymentPayload;
  const identity = paymentIdentityOf(payload);
  if (!identity.ok && identity.scheme === CHANNEL_SCHEME && schemes.includes(CHANNEL_SCHEME)) {
    const channel = channelIdentityOf(payload.accepted, payload.payload);
    if (!channel.ok) throw invalid(`the PAYMENT-SIGNATURE header's ${channel.message}`);
    return { payload, identity: channel.identity };
  }
  if (!identity.ok) {
    if (identity.scheme !== undefined && identity.scheme !== "exact") {
      throw new BaseError(`the "${identity.scheme}" payment scheme is not accepted here`, {
        code: ErrorCode.unsupported_scheme,
      });
    }
    throw invalid(`the PAYMENT-SIGNATURE header's ${identity.message}`);
  }
  return { payload, identity: identity.identity };
}
