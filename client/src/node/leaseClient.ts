import {
  CreateLeaseResponse,
  describeUnits,
  ErrorCode,
  type Lease,
  type LeaseQuote,
  type NodeInfo,
  type PaymentKind,
  priceOf,
  RenewLeaseResponse,
  type UsageReceipt,
} from "@wg402/shared";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import type { LocalAccount } from "viem";
import type { z } from "zod";
import { formatTokenAmount } from "../chain/money.ts";
import { assertChainReachable, type Env, type PaymentChain, paymentChainFor } from "../chain/paymentChain.ts";
import { SpendBudget, type SpendSnapshot } from "../chain/spendBudget.ts";
import { rememberClientChannel } from "../channel/channelIndex.ts";
import { type ChannelRefund, refundChannelless, refundClientChannel } from "../channel/channelRefund.ts";
import { type ChannelScheme, createChannelScheme } from "../channel/channelScheme.ts";
import { channelStorage } from "../channel/channelStorage.ts";
import { renewalBound } from "../channel/renewalAllowance.ts";
import { ClientError, isClientError } from "../errors.ts";
import { type LeaseCloseOptions, LeaseReceipts } from "../receipts/leaseReceipts.ts";
import { assertTokenBalance, type Balances, readBalances, readTokenBalance } from "../wallet/balances.ts";
import { closeLease } from "./closeLease.ts";
import type { LeaseClientOptions } from "./leaseClientOptions.ts";
import { assertMinutesSold, assertUnitsSold } from "./minuteBounds.ts";
import {
  DEFAULT_NODE_TIMEOUT_MS,
  type FetchLike,
  fetchLease,
  fetchNodeInfo,
  fetchQuote,
  type NodeQuote,
  normalizeNodeUrl,
} from "./nodeApi.ts";
import { type PaymentReceipt, type PayRequest, payForLease } from "./payForLease.ts";
import { choosePaymentKind, isChannelKind } from "./paymentKind.ts";

export type { LeaseClientOptions } from "./leaseClientOptions.ts";

export type { PaymentReceipt };

export type CreatedLease = CreateLeaseResponse & { payment: PaymentReceipt };
export type RenewedLease = RenewLeaseResponse & { payment: PaymentReceipt };

export type Preflight = { minutes: number; megabytes: number; amount: bigint; balance: bigint };

// The wire form of a purchase: a unit not bought is left out.
const unitsBody = (minutes: number, megabytes: number) => ({
  ...(minutes > 0 ? { minutes } : {}),
  ...(megabytes > 0 ? { megabytes } : {}),
});

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
  private readonly clock: Clock;
  private readonly channelValue: ChannelScheme | undefined;
  private chainChecked = false;
  private lastRefundValue: ChannelRefund | null = null;
  private readonly envValue: Env;
  readonly receipts: LeaseReceipts;
  // Bearer tokens the node handed out with new leases: a status check then needs no signature.
  private readonly leaseTokens = new Map<string, string>();
  /** Each channel lease's ceiling as this client's last voucher on it signed (its next renewal is bounded by it). */
  private readonly ceilings = new Map<string, bigint>();

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
    this.clock = p.options.clock ?? systemClock;
    this.envValue = p.options.env ?? process.env;
    this.receipts = new LeaseReceipts({ ...p, store: p.options.receiptStore, requireSigned: p.options.requireSigned });
    if (isChannelKind(p.kind)) {
      const deposit = p.options.deposit === undefined ? this.budget.cap : p.options.deposit;
      this.channelValue = createChannelScheme({
        account: this.account,
        chain: p.chain,
        storage: p.options.channelStorage ?? channelStorage(p.options.env ?? process.env),
        depositTarget: () => deposit,
        balance: async () => {
          await this.ensureChain();
          return readTokenBalance(this.chainValue, this.account.address);
        },
      });
    }
  }

  /**
   * Reads the node's info (unless given) and resolves the chain and token it is paid in. Spends nothing.
   */
  static async connect(options: LeaseClientOptions & { node?: NodeInfo; chain?: PaymentChain }): Promise<LeaseClient> {
    const nodeUrl = normalizeNodeUrl(options.nodeUrl);
    const node = options.node ?? (await fetchNodeInfo(nodeUrl, { fetch: options.fetch, timeoutMs: options.timeoutMs }));
    const kind = choosePaymentKind(node, options.scheme);
    const chain = options.chain ?? (await paymentChainFor(kind, options.env ?? process.env));
    return new LeaseClient({ options, nodeUrl, node, kind, chain });
  }

  get node(): NodeInfo {
    return this.nodeInfo;
  }

  /** The escrow channel's scheme and records, when this client pays by channel. */
  get channel(): ChannelScheme | undefined {
    return this.channelValue;
  }

  /** The payment kind this client uses: the channel or `exact`, on a network and token it knows. */
  get paymentKind(): PaymentKind {
    return this.kindValue;
  }

  get chain(): PaymentChain {
    return this.chainValue;
  }

  get pricePerMinute(): bigint {
    return BigInt(this.nodeInfo.pricePerMinute);
  }

  /** Base units per MB; null on a node that sells time only. */
  get pricePerMb(): bigint | null {
    return this.nodeInfo.data ? BigInt(this.nodeInfo.data.pricePerMb) : null;
  }

  priceFor(minutes: number, megabytes = 0): bigint {
    return priceOf({ pricePerMinute: this.pricePerMinute, pricePerMb: this.pricePerMb }, { minutes, megabytes });
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

  /** The node's own 402 price for `minutes` (and `megabytes`). Creates nothing, signs nothing. */
  async quote(minutes: number, megabytes = 0): Promise<LeaseQuote> {
    assertUnitsSold(this.nodeInfo, { minutes, megabytes });
    return (await this.quoteWithRequirements(minutes, megabytes)).quote;
  }

  quoteWithRequirements(minutes: number, megabytes = 0): Promise<NodeQuote> {
    return fetchQuote(this.nodeUrl, { minutes, megabytes }, { fetch: this.fetchImpl, timeoutMs: this.timeoutMs });
  }

  async balances(): Promise<Balances> {
    await this.ensureChain();
    return readBalances(this.chainValue, this.account.address);
  }

  assertMinutes(minutes: number): void {
    assertMinutesSold(this.nodeInfo, minutes);
  }

  /**
   * Everything that can refuse a payment of `minutes` and `megabytes`, checked without signing: the bounds,
   * the per-payment cap, the session cap, the RPC and the token balance.
   */
  async preflight(minutes: number, megabytes = 0): Promise<Preflight> {
    assertUnitsSold(this.nodeInfo, { minutes, megabytes });
    const amount = this.priceFor(minutes, megabytes);
    if (this.maxPerPayment !== null && amount > this.maxPerPayment) {
      throw new ClientError(
        `${describeUnits({ minutes, megabytes })} cost ${this.formatAmount(amount)}, above the per-payment cap of ${this.formatAmount(this.maxPerPayment)}`,
        { code: ErrorCode.spend_cap_exceeded },
      );
    }
    this.budget.check(amount);
    await this.ensureChain();
    const balance = await assertTokenBalance(this.chainValue, this.account.address, amount);
    return { minutes, megabytes, amount, balance };
  }

  /** Pays for a new lease for `publicKey` (the client's WireGuard key; the private key never leaves). */
  async create(request: { publicKey: string; minutes: number; megabytes?: number }): Promise<CreatedLease> {
    const megabytes = request.megabytes ?? 0;
    const { amount } = await this.preflight(request.minutes, megabytes);
    const { body, payment } = await this.pay({
      path: "/lease",
      body: { publicKey: request.publicKey, ...unitsBody(request.minutes, megabytes) },
      expected: amount,
      okStatus: 201,
      schema: CreateLeaseResponse,
      what: "the node refused the lease",
    });
    if (body.leaseToken) this.leaseTokens.set(body.lease.id, body.leaseToken);
    if (payment.ceiling) this.ceilings.set(body.lease.id, payment.ceiling);
    if (this.channelValue) await rememberClientChannel(this, this.envValue);
    await this.receipts.payment(body.lease.id, payment);
    return { ...body, payment };
  }

  /** Pays for `minutes` (and `megabytes`) more on a lease; the node extends its expiry and its allowance. */
  async renew(leaseId: string, minutes: number, megabytes = 0): Promise<RenewedLease> {
    const { amount } = await this.preflight(minutes, megabytes);
    const attempt = async (lastCeiling: bigint | undefined) => {
      const bound = !this.channelValue
        ? { allowance: amount }
        : await renewalBound({
            lastCeiling,
            node: this.nodeInfo,
            minutes,
            megabytes,
            lease: () => this.status(leaseId),
          });
      const { body, payment } = await this.pay({
        path: `/lease/${encodeURIComponent(leaseId)}/renew`,
        body: unitsBody(minutes, megabytes),
        expected: amount,
        ...bound,
        okStatus: 200,
        schema: RenewLeaseResponse,
        what: "the node refused the renewal",
      });
      if (payment.ceiling) this.ceilings.set(leaseId, payment.ceiling);
      await this.receipts.payment(leaseId, payment);
      return { ...body, payment };
    };
    // A channel renewal is bounded by this client's last voucher on the lease, without asking the node; when
    // another process renewed it since (`wg402 renew`), the node asks more and the renewal is asked again
    // once, bounded by the lease as the node has it. Nothing is signed on the refused try.
    const known = this.ceilings.get(leaseId);
    try {
      return await attempt(known);
    } catch (error) {
      if (!this.channelValue || known === undefined || !isClientError(error, ErrorCode.payment_exceeds_quote)) {
        throw error;
      }
      return attempt(undefined);
    }
  }

  /** Remembers a lease's bearer token (e.g. one read back from the session state file). */
  rememberLeaseToken(leaseId: string, token: string): void {
    this.leaseTokens.set(leaseId, token);
  }

  /** The lease in full, as its payer sees it: by its bearer token if known, else by a signature. */
  status(leaseId: string): Promise<Lease> {
    const token = this.leaseTokens.get(leaseId);
    return fetchLease(this.nodeUrl, leaseId, {
      fetch: this.fetchImpl,
      timeoutMs: this.timeoutMs,
      auth: token ? { token } : { account: this.account, chainId: this.chainValue.chain.id, clock: this.clock },
    });
  }

  /**
   * Closes the lease early with the payer's EIP-712 signature and returns the node's usage receipt. On a
   * channel the node charges the last seconds at the close, and the unused deposit is then refunded at once
   * (`lastRefund`); a failed refund leaves the lease closed and the deposit claimable by `channel refund`.
   */
  async close(leaseId: string, options: LeaseCloseOptions = {}): Promise<UsageReceipt> {
    const { nodeUrl, account, fetchImpl: fetch, timeoutMs, clock } = this;
    const chainId = this.chainValue.chain.id;
    const receipt = await closeLease({ nodeUrl, leaseId, account, chainId, fetch, timeoutMs, clock });
    // Checked against the advertised signer and the client's own counters, and kept either way (evidence).
    await this.receipts.usage(receipt, options.counters ?? null);
    if (this.channelValue && options.refund !== false) this.lastRefundValue = await this.refund();
    return receipt;
  }

  /** The refund at the last close, when paying by channel. */
  get lastRefund(): ChannelRefund | null {
    return this.lastRefundValue;
  }

  /** The cooperative refund of the channel's unused deposit (refused by the node while a lease runs on it). */
  async refund(): Promise<ChannelRefund> {
    if (!this.channelValue) return refundChannelless();
    await this.ensureChain();
    return refundClientChannel(this, this.fetchImpl);
  }

  private pay<T extends z.ZodType>(p: PayRequest<T>) {
    return payForLease(
      {
        nodeUrl: this.nodeUrl,
        account: this.account,
        kind: this.kindValue,
        chain: this.chainValue,
        budget: this.budget,
        maxPerPayment: this.maxPerPayment,
        fetch: this.fetchImpl,
        paidTimeoutMs: this.paidTimeoutMs,
        clock: this.clock,
        formatAmount: (amount) => this.formatAmount(amount),
        channel: this.channelValue,
        offers: this.receipts.offerPolicy,
      },
      p,
    );
  }

  private async ensureChain(): Promise<void> {
    if (this.chainChecked) return;
    await assertChainReachable(this.chainValue);
    this.chainChecked = true;
  }
}
