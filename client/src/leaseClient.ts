import {
  CreateLeaseResponse,
  type Lease,
  type LeaseQuote,
  type NodeInfo,
  type PaymentKind,
  RenewLeaseResponse,
  type UsageReceipt,
} from "@wg402/shared";
import { decodePaymentResponseHeader } from "@x402/core/http";
import type { Network } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import type { LocalAccount } from "viem";
import type { z } from "zod";
import { closeLease } from "./closeLease.ts";
import { ClientError, ClientErrorCode, isClientError } from "./errors.ts";
import { formatTokenAmount } from "./money.ts";
import {
  DEFAULT_NODE_TIMEOUT_MS,
  type FetchLike,
  failure,
  fetchLease,
  fetchNodeInfo,
  fetchQuote,
  type NodeQuote,
  normalizeNodeUrl,
  readJson,
  unreachable,
} from "./nodeApi.ts";
import { assertChainReachable, type Env, type PaymentChain, paymentChainFor } from "./paymentChain.ts";
import { SpendBudget, type SpendSnapshot } from "./spendBudget.ts";
import { assertTokenBalance, type Balances, readBalances } from "./wallet/balances.ts";

export type LeaseClientOptions = {
  /** The node's base URL, e.g. http://127.0.0.1:4021. */
  nodeUrl: string;
  /** The payer: signs EIP-3009 authorizations and the close message. */
  account: LocalAccount;
  /** Per-payment cap in base units. Each payment is also capped at the price the node advertised for it. */
  maxPerPayment?: bigint | null;
  /** Session cap in base units: the most this client will sign for in total. */
  sessionCap?: bigint | null;
  /** RPC overrides and the local stack file are read from here. */
  env?: Env;
  fetch?: FetchLike;
  /** Unpaid requests. */
  timeoutMs?: number;
  /** Paid requests: the node verifies and settles on-chain before answering. */
  paidTimeoutMs?: number;
  now?: () => number;
};

/** One settled payment, as the client saw it. */
export type PaymentReceipt = {
  amount: bigint;
  txHash: `0x${string}` | null;
  payer: `0x${string}`;
  network: string;
  /** From sending the request to the paid answer: 402, signature, verify, settle. */
  latencyMs: number;
};

export type CreatedLease = CreateLeaseResponse & { payment: PaymentReceipt };
export type RenewedLease = RenewLeaseResponse & { payment: PaymentReceipt };

export type Preflight = { minutes: number; amount: bigint; balance: bigint };

/**
 * Buys, renews, reads and closes leases on one node, paying through the official x402 fetch wrapper with
 * the `exact` EVM scheme. Spend controls allow only the node's advertised asset, cap each payment at the
 * advertised price (and the user's per-payment cap), and a session budget bounds the total. Balance and
 * caps are checked before anything is signed.
 */
export class LeaseClient {
  readonly nodeUrl: string;
  readonly account: LocalAccount;
  readonly budget: SpendBudget;
  readonly maxPerPayment: bigint | null;
  private nodeInfo: NodeInfo;
  private readonly kindValue: PaymentKind;
  private readonly chainValue: PaymentChain;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly paidTimeoutMs: number;
  private readonly now: () => number;
  private chainChecked = false;

  private constructor(p: {
    options: LeaseClientOptions;
    nodeUrl: string;
    node: NodeInfo;
    kind: PaymentKind;
    chain: PaymentChain;
  }) {
    this.nodeUrl = p.nodeUrl;
    this.account = p.options.account;
    this.nodeInfo = p.node;
    this.kindValue = p.kind;
    this.chainValue = p.chain;
    this.maxPerPayment = p.options.maxPerPayment ?? null;
    this.budget = new SpendBudget({ cap: p.options.sessionCap ?? null, token: p.chain.token });
    this.fetchImpl = p.options.fetch ?? fetch;
    this.timeoutMs = p.options.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    this.paidTimeoutMs = p.options.paidTimeoutMs ?? 60_000;
    this.now = p.options.now ?? Date.now;
  }

  /**
   * Reads the node's info (unless given) and resolves the chain and token it is paid in. Spends nothing.
   */
  static async connect(options: LeaseClientOptions & { node?: NodeInfo; chain?: PaymentChain }): Promise<LeaseClient> {
    const nodeUrl = normalizeNodeUrl(options.nodeUrl);
    const node = options.node ?? (await fetchNodeInfo(nodeUrl, { fetch: options.fetch, timeoutMs: options.timeoutMs }));
    const kind = pickPaymentKind(node);
    const chain = options.chain ?? (await paymentChainFor(kind, options.env ?? process.env));
    return new LeaseClient({ options, nodeUrl, node, kind, chain });
  }

  get node(): NodeInfo {
    return this.nodeInfo;
  }

  /** The payment kind this client uses: `exact` on a network and token it knows. */
  get paymentKind(): PaymentKind {
    return this.kindValue;
  }

  get chain(): PaymentChain {
    return this.chainValue;
  }

  get pricePerMinute(): bigint {
    return BigInt(this.nodeInfo.pricePerMinute);
  }

  priceFor(minutes: number): bigint {
    return this.pricePerMinute * BigInt(minutes);
  }

  spend(): SpendSnapshot {
    return this.budget.snapshot();
  }

  formatAmount(amount: bigint): string {
    return formatTokenAmount(amount, this.chainValue.token);
  }

  async refreshNodeInfo(): Promise<NodeInfo> {
    this.nodeInfo = await fetchNodeInfo(this.nodeUrl, { fetch: this.fetchImpl, timeoutMs: this.timeoutMs });
    return this.nodeInfo;
  }

  /** The node's own 402 price for `minutes`. Creates nothing, signs nothing. */
  async quote(minutes: number): Promise<LeaseQuote> {
    this.assertMinutes(minutes);
    return (await this.quoteWithRequirements(minutes)).quote;
  }

  quoteWithRequirements(minutes: number): Promise<NodeQuote> {
    return fetchQuote(this.nodeUrl, minutes, { fetch: this.fetchImpl, timeoutMs: this.timeoutMs });
  }

  async balances(): Promise<Balances> {
    await this.ensureChain();
    return readBalances(this.chainValue, this.account.address);
  }

  assertMinutes(minutes: number): void {
    const { minMinutes, maxMinutes } = this.nodeInfo;
    if (!Number.isInteger(minutes) || minutes < minMinutes || minutes > maxMinutes) {
      throw new ClientError(`this node sells between ${minMinutes} and ${maxMinutes} whole minutes, not ${minutes}`, {
        code: ClientErrorCode.invalid_minutes,
      });
    }
  }

  /**
   * Everything that can refuse a payment of `minutes`, checked without signing: the minute bounds, the
   * per-payment cap, the session cap, the RPC and the token balance.
   */
  async preflight(minutes: number): Promise<Preflight> {
    this.assertMinutes(minutes);
    const amount = this.priceFor(minutes);
    if (this.maxPerPayment !== null && amount > this.maxPerPayment) {
      throw new ClientError(
        `${minutes} minute${minutes === 1 ? "" : "s"} cost ${this.formatAmount(amount)}, above the per-payment cap of ${this.formatAmount(this.maxPerPayment)}`,
        { code: ClientErrorCode.spend_cap_exceeded },
      );
    }
    this.budget.check(amount);
    await this.ensureChain();
    const balance = await assertTokenBalance(this.chainValue, this.account.address, amount);
    return { minutes, amount, balance };
  }

  /** Pays for a new lease for `publicKey` (the client's WireGuard key; the private key never leaves). */
  async create(request: { publicKey: string; minutes: number }): Promise<CreatedLease> {
    const { amount } = await this.preflight(request.minutes);
    const { body, payment } = await this.pay({
      path: "/lease",
      body: { publicKey: request.publicKey, minutes: request.minutes },
      expected: amount,
      okStatus: 201,
      schema: CreateLeaseResponse,
      what: "the node refused the lease",
    });
    return { ...body, payment };
  }

  /** Pays for `minutes` more on a lease; the node extends it from its current expiry. */
  async renew(leaseId: string, minutes: number): Promise<RenewedLease> {
    const { amount } = await this.preflight(minutes);
    const { body, payment } = await this.pay({
      path: `/lease/${encodeURIComponent(leaseId)}/renew`,
      body: { minutes },
      expected: amount,
      okStatus: 200,
      schema: RenewLeaseResponse,
      what: "the node refused the renewal",
    });
    return { ...body, payment };
  }

  status(leaseId: string): Promise<Lease> {
    return fetchLease(this.nodeUrl, leaseId, { fetch: this.fetchImpl, timeoutMs: this.timeoutMs });
  }

  /** Closes the lease early with the payer's EIP-712 signature and returns the node's usage receipt. */
  close(leaseId: string): Promise<UsageReceipt> {
    return closeLease({
      nodeUrl: this.nodeUrl,
      leaseId,
      account: this.account,
      chainId: this.chainValue.chain.id,
      fetch: this.fetchImpl,
      timeoutMs: this.timeoutMs,
      now: this.now,
    });
  }

  private async ensureChain(): Promise<void> {
    if (this.chainChecked) return;
    await assertChainReachable(this.chainValue);
    this.chainChecked = true;
  }

  private async pay<T extends z.ZodType>(p: {
    path: string;
    body: unknown;
    expected: bigint;
    okStatus: number;
    schema: T;
    what: string;
  }): Promise<{ body: z.infer<T>; payment: PaymentReceipt }> {
    const kind = this.kindValue;
    const cap = this.maxPerPayment === null || p.expected < this.maxPerPayment ? p.expected : this.maxPerPayment;
    const state: { refusal?: ClientError; reserved: bigint; signed: boolean } = { reserved: 0n, signed: false };
    const client = new x402Client()
      .register(
        kind.network as Network,
        new ExactEvmScheme(toClientEvmSigner(this.account, this.chainValue.publicClient as never)),
      )
      .setSpendControls({
        allowedAssets: [{ network: kind.network as Network, asset: kind.asset, maxAmountPerPayment: cap.toString() }],
      })
      .onBeforePaymentCreation(async ({ selectedRequirements: requirement }) => {
        try {
          if (requirement.payTo.toLowerCase() !== kind.payTo.toLowerCase()) {
            throw new ClientError(
              `the node asked to pay ${requirement.payTo}, not ${kind.payTo} as its info says; nothing was signed`,
              { code: ClientErrorCode.pay_to_mismatch },
            );
          }
          const amount = BigInt(requirement.amount);
          if (amount > cap) {
            throw new ClientError(
              `the node asked for ${this.formatAmount(amount)}, more than the ${this.formatAmount(cap)} it quoted; nothing was signed`,
              { code: ClientErrorCode.payment_exceeds_quote },
            );
          }
          this.budget.reserve(amount);
          state.reserved = amount;
          state.signed = true;
        } catch (error) {
          state.refusal = isClientError(error)
            ? error
            : new ClientError(String(error), { code: ClientErrorCode.payment_failed, cause: error });
          return { abort: true, reason: state.refusal.shortMessage };
        }
      });
    const signal = AbortSignal.timeout(this.paidTimeoutMs);
    const paidFetch = wrapFetchWithPayment(this.fetchImpl, client);
    const url = `${this.nodeUrl}${p.path}`;
    const started = this.now();
    let response: Response;
    try {
      response = await paidFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(p.body),
        signal,
      });
    } catch (error) {
      if (state.refusal) throw state.refusal;
      const mapped = paymentError(url, error, kind);
      if (state.signed && mapped.code === ClientErrorCode.node_unreachable) {
        throw new ClientError(
          `${mapped.shortMessage} after a payment of ${this.formatAmount(state.reserved)} was signed; it may have been settled (check the lease with \`wg402 status\`)`,
          { code: ClientErrorCode.node_unreachable, cause: error },
        );
      }
      throw mapped;
    }
    const latencyMs = this.now() - started;

    if (response.status === p.okStatus) {
      const body = await readJson(response, p.schema, p.what);
      const settlement = readSettlement(response);
      this.budget.markSettled(state.reserved);
      return {
        body,
        payment: {
          amount: state.reserved,
          txHash: settlement?.txHash ?? null,
          payer: settlement?.payer ?? this.account.address,
          network: kind.network,
          latencyMs,
        },
      };
    }
    if (response.status === 402) {
      const refused = await failure(response, "the payment was not accepted");
      throw new ClientError(
        state.signed
          ? `the node did not accept the payment: ${refused.shortMessage.replace(/^the payment was not accepted: /, "")}`
          : "the node asked for payment again without taking it",
        { code: ClientErrorCode.payment_failed, cause: refused, details: refused.details },
      );
    }
    if (response.status === 404 || response.status === 405 || response.status === 501) {
      const refused = await failure(response, p.what);
      if (refused.code !== ClientErrorCode.node_error) throw refused;
      throw new ClientError(`${url} answered HTTP ${response.status}: this server does not sell leases over x402`, {
        code: ClientErrorCode.not_x402,
      });
    }
    if (response.ok) {
      throw new ClientError(`${url} answered HTTP ${response.status} without asking for payment: not a wg402 node`, {
        code: ClientErrorCode.not_x402,
      });
    }
    throw await failure(response, p.what);
  }
}

/** The first `exact` offer; other schemes (the escrow channel, later) are not spoken by this client yet. */
function pickPaymentKind(node: NodeInfo): PaymentKind {
  const kind = node.accepts.find((k) => k.scheme === "exact");
  if (!kind) {
    throw new ClientError(
      `the node accepts only ${node.accepts.map((k) => k.scheme).join(", ")}; this client pays with the x402 "exact" scheme`,
      { code: ClientErrorCode.unsupported_scheme },
    );
  }
  return kind;
}

function readSettlement(response: Response): { txHash: `0x${string}` | null; payer: `0x${string}` } | null {
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

/** What the x402 wrapper throws, as one sentence and a code. */
function paymentError(url: string, error: unknown, kind: PaymentKind): ClientError {
  const message = error instanceof Error ? error.message : String(error);
  if (/rejected by spendControls: only default assets/.test(message)) {
    return new ClientError(`the node asked to be paid in an asset other than ${kind.asset}; nothing was signed`, {
      code: ClientErrorCode.unsupported_asset,
      cause: error,
    });
  }
  if (/rejected by spendControls/.test(message)) {
    return new ClientError("the node asked for more than it quoted; nothing was signed", {
      code: ClientErrorCode.payment_exceeds_quote,
      cause: error,
    });
  }
  if (/No network\/scheme registered/.test(message)) {
    return new ClientError(`the node's 402 offers no "exact" payment on ${kind.network}; nothing was signed`, {
      code: ClientErrorCode.unsupported_network,
      cause: error,
    });
  }
  if (/Failed to parse payment requirements/.test(message)) {
    return new ClientError("the node answered 402 without a valid x402 PAYMENT-REQUIRED header", {
      code: ClientErrorCode.not_x402,
      cause: error,
    });
  }
  if (/Failed to create payment payload/.test(message)) {
    return new ClientError(`could not sign the payment: ${message}`, {
      code: ClientErrorCode.payment_failed,
      cause: error,
    });
  }
  return unreachable(url, error);
}
