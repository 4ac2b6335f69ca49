// Buyers as a careful x402 client behaves: sign once, send, and on no answer (the node died) or an
// unknown outcome send exactly the same signed request again until the node gives a final answer. Every
// answer is kept, so the audit can hold the node to what it said.

import { x402PayerFor } from "@wg402/agent/testing";
import { httpStatusFor, type PaymentIdentity, paymentIdentityOf } from "@wg402/shared";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { LocalAccount, PublicClient } from "viem";

export type Answer = { status: number; error?: string; leaseId?: string } | { status: "no-answer"; reason: string };

export type Purchase = {
  kind: "create" | "renew";
  path: string;
  body: Record<string, unknown>;
  header: string;
  identity: PaymentIdentity;
  minutes: number;
  answers: Answer[];
  /** The last answer that settles what happened: 2xx, or a refusal other than "ask again". */
  final?: Answer;
};

/** Answers that mean "ask again later with the same payment". */
const TRANSIENT = new Set(["settlement_unknown", "facilitator_unavailable"]);

/** 503s the node sends on purpose, with a code and Retry-After; every other 5xx is a defect. */
export const DOCUMENTED_503 = new Set(
  Object.entries(httpStatusFor)
    .filter(([, status]) => status === 503)
    .map(([code]) => code),
);

export function isDefect(answer: Answer): boolean {
  if (answer.status === "no-answer") return false;
  if (answer.status < 500) return false;
  return !(answer.status === 503 && answer.error !== undefined && DOCUMENTED_503.has(answer.error));
}

export function createBuyer(options: {
  account: LocalAccount;
  publicClient: PublicClient;
  asset: `0x${string}`;
  agentUrl: () => string;
}) {
  const client = x402PayerFor(options.account, options.publicClient, options.asset);

  const post = async (path: string, body: unknown, header?: string): Promise<Answer> => {
    try {
      const response = await fetch(`${options.agentUrl()}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(header ? { "payment-signature": header } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const json = (await response.json().catch(() => ({}))) as {
        error?: string;
        lease?: { id?: string };
        details?: { leaseId?: string };
      };
      return { status: response.status, error: json.error, leaseId: json.lease?.id ?? json.details?.leaseId };
    } catch (error) {
      return { status: "no-answer", reason: (error as Error).message };
    }
  };

  return {
    /** Asks for the price of `body` at `path` and signs it; sends nothing paid. */
    async sign(kind: Purchase["kind"], path: string, body: Record<string, unknown>): Promise<Purchase> {
      const quote = await fetch(`${options.agentUrl()}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (quote.status !== 402) throw new Error(`expected a 402 for ${path}, got ${quote.status}`);
      const required = decodePaymentRequiredHeader(quote.headers.get("payment-required") as string);
      const payload = await client.createPaymentPayload(required);
      const identity = paymentIdentityOf(payload);
      if (!identity.ok) throw new Error(identity.message);
      return {
        kind,
        path,
        body,
        header: encodePaymentSignatureHeader(payload),
        identity: identity.identity,
        minutes: body.minutes as number,
        answers: [],
      };
    },

    /** Sends the purchase once (or `copies` times at once, as a client whose retries overlap). */
    async send(purchase: Purchase, copies = 1): Promise<void> {
      const answers = await Promise.all(
        Array.from({ length: copies }, () => post(purchase.path, purchase.body, purchase.header)),
      );
      for (const answer of answers) record(purchase, answer);
    },

    /** Sends it again until the node gives a final answer, or the deadline passes. */
    async settle(purchase: Purchase, deadline: number): Promise<void> {
      while (!purchase.final && Date.now() < deadline) {
        record(purchase, await post(purchase.path, purchase.body, purchase.header));
        if (!purchase.final) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
  };
}

function record(purchase: Purchase, answer: Answer): void {
  purchase.answers.push(answer);
  if (answer.status === "no-answer") return;
  if (answer.status === 503 && answer.error && TRANSIENT.has(answer.error)) return;
  if (answer.status >= 500 && !DOCUMENTED_503.has(answer.error ?? "")) return;
  purchase.final = answer;
}
