import { BaseError, Bytes32Hex, ErrorCode } from "@wg402/shared";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { errorAnswer, fromInstructions, sdkContext, send } from "../payments/paidRoute.ts";
import type { PaymentEdge } from "../payments/paymentEdge.ts";
import type { ChannelPayments } from "./channelPayments.ts";

const RefundPayload = z.object({ type: z.literal("refund"), voucher: z.object({ channelId: Bytes32Hex }) });

const invalid = (message: string) => new BaseError(message, { code: ErrorCode.invalid_payment_header });

/** The channel a refund request names, or undefined for the probe (no payment yet). */
function refundedChannel(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let decoded: { payload?: unknown };
  try {
    decoded = decodePaymentSignatureHeader(header.trim()) as { payload?: unknown };
  } catch {
    throw invalid("the PAYMENT-SIGNATURE header is not base64-encoded JSON");
  }
  const parsed = RefundPayload.safeParse(decoded.payload);
  if (!parsed.success) throw invalid("this route takes only a batch-settlement refund payload");
  return parsed.data.voucher.channelId;
}

/**
 * `GET /channel/refund`: the SDK's cooperative refund. The probe gets the 402 that names the channel offer;
 * the payer's zero-charge voucher then gets everything above the channel's charge back at once, through the
 * SDK's scheme (claim of the charge and refund in one transaction). Refused while a lease still runs on the
 * channel: its granted time must stay covered. Ended leases are charged their last seconds first.
 */
export function channelRefundRoute(p: { edge: PaymentEdge; channels: ChannelPayments; log: Logger }): RequestHandler {
  return async (req, res) => {
    try {
      const channelId = refundedChannel(req.header("payment-signature"));
      if (channelId !== undefined) {
        await p.channels.billEnded();
        if (await p.channels.busy(channelId)) {
          throw new BaseError("a lease still runs on this channel; close it first, then ask for the refund", {
            code: ErrorCode.channel_in_use,
          });
        }
      }
      await p.edge.ensureReady();
      const result = await p.edge.http.processHTTPRequest(sdkContext(req, "/channel/refund", "GET"));
      if (result.type === "payment-error") return send(res, fromInstructions(result.response));
      // Only a refund skips the handler; anything else verified here buys nothing and is released.
      if (result.type === "payment-verified") {
        await result.cancellationDispatcher.cancel({ reason: "handler_failed" });
      }
      throw invalid("this route takes only a batch-settlement refund payload");
    } catch (error) {
      if (error instanceof BaseError) return send(res, errorAnswer(error));
      p.log.error({ err: error }, "channel refund failed");
      return send(res, errorAnswer(new BaseError("internal error", { code: ErrorCode.internal_error })));
    }
  };
}
