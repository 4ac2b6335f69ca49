// What a payment's headers say: the voucher the client signed, and the node's settlement answer.
import { decodePaymentResponseHeader, decodePaymentSignatureHeader } from "@x402/core/http";

/** The voucher a channel payment signed: its channel and its cumulative ceiling. */
export function voucherOf(header: string | undefined): { channelId: `0x${string}`; ceiling: bigint } | null {
  if (!header) return null;
  try {
    const payload = decodePaymentSignatureHeader(header).payload as {
      voucher?: { channelId?: string; maxClaimableAmount?: string };
    };
    const v = payload.voucher;
    if (!v?.channelId || !v.maxClaimableAmount) return null;
    return { channelId: v.channelId as `0x${string}`, ceiling: BigInt(v.maxClaimableAmount) };
  } catch {
    return null;
  }
}

/** The node's PAYMENT-RESPONSE: the settlement's transaction and payer (null when absent or unreadable). */
export function readSettlement(response: Response): { txHash: `0x${string}` | null; payer: `0x${string}` } | null {
  const header = response.headers.get("payment-response");
  if (!header) return null;
  try {
    const settled = decodePaymentResponseHeader(header);
    return {
      txHash: (settled.transaction || null) as `0x${string}` | null,
      payer: settled.payer as `0x${string}`,
    };
  } catch {
    return null;
  }
}
