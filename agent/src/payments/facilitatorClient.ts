import { type FacilitatorClient, HTTPFacilitatorClient } from "@x402/core/server";
import {
  FacilitatorResponseError,
  type PaymentPayload,
  type PaymentRequirements,
  SettleError,
  type SettleResponse,
  type SupportedResponse,
  VerifyError,
  type VerifyResponse,
} from "@x402/core/types";

/**
 * The facilitator could not be asked, or did not answer: a transport failure, a timeout, a 5xx, or a body
 * that is not an answer. For `/verify` that means "try again later"; for `/settle` it says nothing about
 * the chain, where the transfer may have landed. A FacilitatorResponseError, so the SDK's HTTP server
 * rethrows it instead of turning it into a 402.
 */
export class FacilitatorUnavailableError extends FacilitatorResponseError {
  readonly operation: "verify" | "settle" | "supported";
  constructor(operation: FacilitatorUnavailableError["operation"], cause: unknown) {
    super(`the facilitator did not answer ${operation}: ${describe(cause)}`);
    this.name = "FacilitatorUnavailableError";
    this.operation = operation;
    this.cause = cause;
  }
}

/** Why a facilitator settle refused a request it received and understood, before doing anything. */
export const FACILITATOR_REFUSED = "facilitator_refused_request";

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0];

/** The HTTP status in the SDK client's "Facilitator settle failed (429): ..." errors. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof SettleError || error instanceof VerifyError) return error.statusCode;
  const match = error instanceof Error ? /^Facilitator (?:verify|settle) failed \((\d{3})\)/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * The SDK's HTTP facilitator client with every failure sorted into "the facilitator answered" (a 4xx, or a
 * success/failure body) and {@link FacilitatorUnavailableError} (anything else).
 */
export function createFacilitatorClient(options: ConstructorParameters<typeof HTTPFacilitatorClient>[0]) {
  const inner = new HTTPFacilitatorClient(options);
  const client: FacilitatorClient & { url: string } = {
    url: inner.url,
    async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
      try {
        return await inner.verify(payload, requirements);
      } catch (error) {
        const status = statusOf(error);
        // 429: busy, not a verdict on the payment.
        if (status !== undefined && status < 500 && status !== 429) throw error;
        throw new FacilitatorUnavailableError("verify", error);
      }
    },
    async settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> {
      try {
        return await inner.settle(payload, requirements);
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || status >= 500 || status === 429) {
          throw new FacilitatorUnavailableError("settle", error);
        }
        if (error instanceof SettleError) throw error;
        // Refused before any work (auth, rate limit, a body it could not read): nothing was sent on-chain.
        throw new SettleError(status, {
          success: false,
          errorReason: FACILITATOR_REFUSED,
          errorMessage: describe(error),
          transaction: "",
          network: requirements.network,
        });
      }
    },
    async getSupported(): Promise<SupportedResponse> {
      try {
        return await inner.getSupported();
      } catch (error) {
        throw new FacilitatorUnavailableError("supported", error);
      }
    },
  };
  return client;
}
export type WrappedFacilitatorClient = ReturnType<typeof createFacilitatorClient>;
