import type { PaymentPayload } from "@x402/core/types";

// What a verify or settle answer says about the payer, whatever the payload holds.

/** The payer a payload names: an `exact` authorization's `from`, or a batch-settlement channel's payer. */
export function payerOf(payload: PaymentPayload): string | undefined {
  const inner = payload.payload as { authorization?: { from?: unknown }; channelConfig?: { payer?: unknown } };
  const from = inner?.authorization?.from ?? inner?.channelConfig?.payer;
  return typeof from === "string" ? from : undefined;
}

/** The SDK echoes whatever a payload names as the payer; a response only ever names a string. */
export function withStringPayer<T extends { payer?: unknown }>(response: T): T {
  if (response.payer === undefined || typeof response.payer === "string") return response;
  const { payer: _dropped, ...rest } = response;
  return rest as T;
}
