import { randomBytes } from "node:crypto";
import {
  ErrorCode,
  formatLeaseAuth,
  LEASE_AUTH_HEADER,
  Lease,
  LeaseQuote,
  LeaseSummary,
  type LeaseUnits,
  leaseActionTypedData,
  NodeInfo,
} from "@wg402/shared";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import { decodePaymentRequiredHeader } from "@x402/core/http";
import type { PaymentRequired } from "@x402/core/types";
import type { LocalAccount } from "viem";
import type { z } from "zod";
import { ClientError, fromWireError } from "../errors.ts";

export type FetchLike = typeof fetch;

export type NodeRequestOptions = { fetch?: FetchLike; timeoutMs?: number; signal?: AbortSignal };

export const DEFAULT_NODE_TIMEOUT_MS = 10_000;

/** A node's base URL, without a trailing slash: http(s) only, no credentials, query or fragment. */
export function normalizeNodeUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ClientError(
      `${JSON.stringify(input)} is not a URL; give the node's address, e.g. http://127.0.0.1:4021`,
      {
        code: ErrorCode.invalid_url,
      },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientError(`the node URL must start with http:// or https://, not ${url.protocol}`, {
      code: ErrorCode.invalid_url,
    });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ClientError("the node URL must not carry credentials, a query or a fragment", {
      code: ErrorCode.invalid_url,
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** fetch with a timeout, turning "could not connect" into one clear sentence. */
export async function nodeFetch(
  url: string,
  init: RequestInit,
  options: NodeRequestOptions & { fetch?: FetchLike } = {},
): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    return await (options.fetch ?? fetch)(url, { ...init, signal });
  } catch (error) {
    throw unreachable(url, error, options.signal);
  }
}

export function unreachable(url: string, error: unknown, signal?: AbortSignal): ClientError {
  if (signal?.aborted) return new ClientError("cancelled", { code: ErrorCode.aborted, cause: error });
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const name = (error as Error)?.name;
  const why =
    name === "TimeoutError"
      ? "it did not answer in time"
      : cause?.code === "ECONNREFUSED"
        ? "connection refused"
        : cause?.code === "ENOTFOUND"
          ? "unknown host"
          : (cause?.message ?? (error as Error)?.message ?? String(error));
  return new ClientError(`cannot reach the node at ${new URL(url).origin}: ${why}`, {
    code: ErrorCode.node_unreachable,
    cause: error,
  });
}

/** Parses a JSON body against `schema`; anything else means the server is not a wg402 node. */
export async function readJson<T extends z.ZodType>(response: Response, schema: T, what: string): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ClientError(`${what}: the answer is not JSON, so this is not a wg402 node`, {
      code: ErrorCode.not_a_wg402_node,
      cause: error,
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ClientError(`${what}: the answer does not follow the wg402 protocol, so this is not a wg402 node`, {
      code: ErrorCode.not_a_wg402_node,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** A non-2xx answer as a ClientError carrying the node's own code when it sent one. */
export async function failure(response: Response, what: string): Promise<ClientError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return fromWireError(response.status, body as { error?: never; message?: string }, what);
}

/** `GET /`: who the node is, its price and how to pay it. */
export async function fetchNodeInfo(
  nodeUrl: string,
  options: NodeRequestOptions & { challenge?: string } = {},
): Promise<NodeInfo> {
  const query = options.challenge ? `?challenge=${options.challenge}` : "";
  const response = await nodeFetch(`${nodeUrl}/${query}`, { headers: { accept: "application/json" } }, options);
  if (!response.ok) {
    throw new ClientError(`${nodeUrl} answered HTTP ${response.status} to GET /, so it is not a wg402 node`, {
      code: ErrorCode.not_a_wg402_node,
    });
  }
  return readJson(response, NodeInfo, `${nodeUrl}`);
}

export type NodeQuote = { quote: LeaseQuote; paymentRequired: PaymentRequired };

/**
 * The node's own price for `minutes`: an unpaid `POST /lease` with a throwaway key, which a wg402 node
 * answers with 402, the x402 PAYMENT-REQUIRED header and a readable quote. Creates nothing.
 */
export async function fetchQuote(
  nodeUrl: string,
  units: number | LeaseUnits,
  options: NodeRequestOptions = {},
): Promise<NodeQuote> {
  const { minutes, megabytes } = typeof units === "number" ? { minutes: units, megabytes: 0 } : units;
  const response = await nodeFetch(
    `${nodeUrl}/lease`,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        publicKey: randomBytes(32).toString("base64"),
        ...(minutes > 0 ? { minutes } : {}),
        ...(megabytes > 0 ? { megabytes } : {}),
      }),
    },
    options,
  );
  if (response.status !== 402) {
    // A 4xx, or a 503 that says why (its facilitator is down): the node's own words.
    if ((response.status >= 400 && response.status < 500) || response.status === 503) {
      throw await failure(response, "the node refused the quote");
    }
    throw new ClientError(
      `the node answered HTTP ${response.status} instead of 402 Payment Required: it does not sell leases over x402`,
      {
        code: ErrorCode.not_x402,
      },
    );
  }
  return readPaymentRequired(response);
}

/** A 402 answer's PAYMENT-REQUIRED header and LeaseQuote body. */
export async function readPaymentRequired(response: Response): Promise<NodeQuote> {
  const header = response.headers.get("payment-required");
  let paymentRequired: PaymentRequired;
  try {
    if (!header) throw new Error("no PAYMENT-REQUIRED header");
    paymentRequired = decodePaymentRequiredHeader(header);
  } catch (error) {
    throw new ClientError("the node answered 402 without a valid x402 PAYMENT-REQUIRED header", {
      code: ErrorCode.not_x402,
      cause: error,
    });
  }
  return { quote: await readJson(response, LeaseQuote, "the node's quote"), paymentRequired };
}

/** How the payer proves a lease is theirs: its bearer token, or a fresh EIP-712 signature. */
export type LeaseAuth = { token: string } | { account: LocalAccount; chainId: number; clock?: Pick<Clock, "now"> };

async function leaseAuthHeaders(leaseId: string, auth: LeaseAuth): Promise<Record<string, string>> {
  if ("token" in auth) return { authorization: `Bearer ${auth.token}` };
  const timestamp = Math.floor((auth.clock ?? systemClock).now() / 1000);
  const signature = await auth.account.signTypedData(
    leaseActionTypedData({ chainId: auth.chainId, leaseId, action: "view", timestamp }),
  );
  return { [LEASE_AUTH_HEADER]: formatLeaseAuth({ timestamp, signature }) };
}

/** `GET /lease/:id` as its payer: state, expiry, usage and payments. */
export async function fetchLease(
  nodeUrl: string,
  leaseId: string,
  options: NodeRequestOptions & { auth: LeaseAuth },
): Promise<Lease> {
  const headers = { accept: "application/json", ...(await leaseAuthHeaders(leaseId, options.auth)) };
  const response = await nodeFetch(`${nodeUrl}/lease/${encodeURIComponent(leaseId)}`, { headers }, options);
  if (!response.ok) throw await failure(response, `lease ${leaseId}`);
  return readJson(response, Lease, `lease ${leaseId}`);
}

/** `GET /lease/:id` as anyone: only its state and expiry. */
export async function fetchLeaseSummary(
  nodeUrl: string,
  leaseId: string,
  options: NodeRequestOptions = {},
): Promise<LeaseSummary> {
  const response = await nodeFetch(
    `${nodeUrl}/lease/${encodeURIComponent(leaseId)}`,
    { headers: { accept: "application/json" } },
    options,
  );
  if (!response.ok) throw await failure(response, `lease ${leaseId}`);
  return readJson(response, LeaseSummary, `lease ${leaseId}`);
}
