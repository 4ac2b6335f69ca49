import { ErrorCode, type PaymentKind } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import type { Network } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import type { EIP712SignedOffer } from "@x402/extensions/offer-receipt";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import type { LocalAccount } from "viem";
import type { z } from "zod";
import type { PaymentChain } from "../chain/paymentChain.ts";
import type { SpendBudget } from "../chain/spendBudget.ts";
import { type ChannelScheme, chargedOn } from "../channel/channelScheme.ts";
import { ClientError, isClientError } from "../errors.ts";
import { type PaymentReceiptVerdict, readPaymentReceipt, type X402Receipt } from "../receipts/paymentReceiptCheck.ts";
import { type FetchLike, failure, readJson, unreachable } from "./nodeApi.ts";
import { checkOffer, type OfferPolicy } from "./offerCheck.ts";
import { readSettlement, voucherOf } from "./paymentHeaders.ts";

/** One settled payment, as the client saw it. */
export type PaymentReceipt = {
  amount: bigint;
  txHash: `0x${string}` | null;
  payer: `0x${string}`;
  network: string;
  /** From sending the request to the paid answer: 402, signature, verify, settle. */
  latencyMs: number;
  /** `exact` or `batch-settlement`. */
  scheme: string;
  /** Channel payments: the deposit this payment made (null when the channel already held enough). */
  deposit?: bigint | null;
  channelId?: `0x${string}` | null;
  /** Channel payments: the ceiling the voucher signed (cumulative over the channel). */
  ceiling?: bigint | null;
  /** The node's signed offer paid against (null: none checkable), and its signed x402 receipt (null: none). */
  offer?: EIP712SignedOffer | null;
  signedReceipt?: { receipt: X402Receipt; verdict: PaymentReceiptVerdict } | null;
};

export type PayContext = {
  nodeUrl: string;
  account: LocalAccount;
  kind: PaymentKind;
  chain: PaymentChain;
  budget: SpendBudget;
  maxPerPayment: bigint | null;
  fetch: FetchLike;
  paidTimeoutMs: number;
  /** Also times the waits between asking again about a payment whose settlement is unknown. */
  clock: Clock;
  formatAmount: (amount: bigint) => string;
  /** Present when this client pays by channel instead of `exact`. */
  channel?: ChannelScheme;
  /** The node's advertised signer, and whether an offer it signed is required before paying. */
  offers: OfferPolicy;
};

export type PayRequest<T extends z.ZodType> = {
  path: string;
  body: unknown;
  expected: bigint;
  /**
   * The most the 402 may ask. For `exact` it is `expected`; a channel renewal asks for the new ceiling above
   * the charge so far, which also covers the time granted but not charged yet (the seconds still to be used).
   */
  allowance?: bigint;
  /**
   * Channel payments: the most the new voucher's ceiling (the channel's charge so far plus the 402's amount)
   * may reach, so the node can never claim more than the time it granted.
   */
  ceilingLimit?: bigint;
  okStatus: number;
  schema: T;
  what: string;
};

// The node decides an unknown settlement from the chain by the authorization's validBefore plus its margin.
const UNKNOWN_MARGIN_MS = 45_000;

/**
 * Pays for one request through the official x402 fetch wrapper with the `exact` EVM scheme. Spend controls
 * allow only the node's advertised asset and cap the payment at its quote; the session budget is charged
 * before anything is signed. When the node says the settlement's outcome is unknown, the same signed
 * request is sent again until the node knows: it can never be charged twice.
 */
export async function payForLease<T extends z.ZodType>(
  ctx: PayContext,
  p: PayRequest<T>,
): Promise<{ body: z.infer<T>; payment: PaymentReceipt }> {
  const { kind } = ctx;
  const channel = ctx.channel;
  // What an earlier payment's deposit strategy left behind is not this payment's.
  channel?.takeDeposit();
  channel?.takeRefusal();
  const asked = p.allowance ?? p.expected;
  const cap = ctx.maxPerPayment === null || asked < ctx.maxPerPayment ? asked : ctx.maxPerPayment;
  // The node's offer this payment is made against, once checked.
  let offer: EIP712SignedOffer | null = null;
  const state: { refusal?: ClientError; reserved: bigint; signed: boolean; header?: string } = {
    reserved: 0n,
    signed: false,
  };
  const client = new x402Client()
    .register(
      kind.network as Network,
      channel?.scheme ?? new ExactEvmScheme(toClientEvmSigner(ctx.account, ctx.chain.publicClient as never)),
    )
    // A per-payment cap would also clamp the channel's deposit (the SDK's multiple of it); the hook below
    // bounds the voucher instead, and the deposit strategy the deposit.
    .setSpendControls({
      allowedAssets: [
        channel
          ? { network: kind.network as Network, asset: kind.asset }
          : { network: kind.network as Network, asset: kind.asset, maxAmountPerPayment: cap.toString() },
      ],
    })
    .onBeforePaymentCreation(async ({ selectedRequirements: requirement, paymentRequired }) => {
      try {
        // A signed offer is always verified; an unsigned one is refused only when signing is required.
        const verdict = await checkOffer(paymentRequired, requirement, ctx.offers);
        offer = verdict.signed ? verdict.offer : null;
        if (requirement.payTo.toLowerCase() !== kind.payTo.toLowerCase()) {
          throw new ClientError(
            `the node asked to pay ${requirement.payTo}, not ${kind.payTo} as its info says; nothing was signed`,
            { code: ErrorCode.pay_to_mismatch },
          );
        }
        const amount = BigInt(requirement.amount);
        if (channel && p.ceilingLimit !== undefined) {
          const ceiling = (await chargedOn(channel, requirement)) + amount;
          if (ceiling > p.ceilingLimit) {
            throw new ClientError(
              `the node asked the channel's ceiling up to ${ctx.formatAmount(ceiling)}, above the ${ctx.formatAmount(p.ceilingLimit)} the time bought covers; nothing was signed`,
              { code: ErrorCode.payment_exceeds_quote },
            );
          }
        }
        if (amount > cap) {
          throw new ClientError(
            `the node asked for ${ctx.formatAmount(amount)}, more than the ${ctx.formatAmount(cap)} it quoted; nothing was signed`,
            { code: ErrorCode.payment_exceeds_quote },
          );
        }
        // What the lease records and the node may keep is the price of what was bought; a channel's larger
        // ceiling only covers time and data already granted.
        const spent = channel ? p.expected : amount;
        ctx.budget.reserve(spent);
        state.reserved = spent;
        state.signed = true;
      } catch (error) {
        state.refusal = isClientError(error)
          ? error
          : new ClientError(String(error), { code: ErrorCode.payment_failed, cause: error });
        return { abort: true, reason: state.refusal.shortMessage };
      }
    });
  // Keeps the signed header, to ask again with exactly this payment.
  const recording: FetchLike = (input, init) => {
    const request = new Request(input, init);
    state.header = request.headers.get("payment-signature") ?? state.header;
    return ctx.fetch(request);
  };
  const url = `${ctx.nodeUrl}${p.path}`;
  const init = (signal: AbortSignal): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(p.body),
    signal,
  });
  const started = ctx.clock.now();
  let response: Response;
  try {
    response = await wrapFetchWithPayment(recording, client)(url, init(AbortSignal.timeout(ctx.paidTimeoutMs)));
  } catch (error) {
    if (state.refusal) throw state.refusal;
    const refused = channel?.takeRefusal();
    if (refused) throw refused;
    const mapped = paymentError(url, error, kind);
    if (state.signed && mapped.code === ErrorCode.node_unreachable) {
      throw new ClientError(
        `${mapped.shortMessage} after a payment of ${ctx.formatAmount(state.reserved)} was signed; it may have been settled (check the lease with \`wg402 status\`)`,
        { code: ErrorCode.node_unreachable, cause: error },
      );
    }
    throw mapped;
  }
  const deposit = channel?.takeDeposit() ?? null;
  if (response.status === 503 && state.header) {
    response = await askAgain(ctx, url, init, state.header, response);
    // The SDK updates the channel's record from the wrapped answer only; after asking again outside it, the
    // record is dropped so the next payment rebuilds it from the chain (never a second deposit).
    if (channel && deposit) await channel.storage.delete(deposit.channelId.toLowerCase());
  }
  const latencyMs = ctx.clock.now() - started;

  if (response.status === p.okStatus) {
    const body = await readJson(response, p.schema, p.what);
    const settlement = readSettlement(response);
    ctx.budget.markSettled(state.reserved);
    const payer = settlement?.payer ?? ctx.account.address;
    const signedReceipt = await readPaymentReceipt(response, { signer: ctx.offers.signer, payer });
    return {
      body,
      payment: {
        amount: state.reserved,
        txHash: settlement?.txHash ?? null,
        payer,
        network: kind.network,
        latencyMs,
        scheme: kind.scheme,
        offer,
        signedReceipt,
        ...(channel
          ? {
              deposit: deposit?.amount ?? null,
              channelId: deposit?.channelId ?? voucherOf(state.header)?.channelId ?? null,
              ceiling: voucherOf(state.header)?.ceiling ?? null,
            }
          : {}),
      },
    };
  }
  if (response.status === 402) {
    const refused = await failure(response, "the payment was not accepted");
    throw new ClientError(
      state.signed
        ? `the node did not accept the payment: ${refused.shortMessage.replace(/^the payment was not accepted: /, "")}`
        : "the node asked for payment again without taking it",
      { code: ErrorCode.payment_failed, cause: refused, details: refused.details },
    );
  }
  if (response.status === 404 || response.status === 405 || response.status === 501) {
    const refused = await failure(response, p.what);
    if (refused.code !== ErrorCode.node_error) throw refused;
    throw new ClientError(`${url} answered HTTP ${response.status}: this server does not sell leases over x402`, {
      code: ErrorCode.not_x402,
    });
  }
  if (response.ok) {
    throw new ClientError(`${url} answered HTTP ${response.status} without asking for payment: not a wg402 node`, {
      code: ErrorCode.not_x402,
    });
  }
  throw await failure(response, p.what);
}

/**
 * `503 settlement_unknown`: the node sent the payment for settlement and does not know yet whether money
 * moved. Asking again with the same signed payment is safe (the node answers every copy of a payment the
 * same way) and, once the chain has decided, returns the lease or an honest refusal.
 */
async function askAgain(
  ctx: PayContext,
  url: string,
  init: (signal: AbortSignal) => RequestInit,
  header: string,
  first: Response,
): Promise<Response> {
  const { clock } = ctx;
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  let validBeforeMs = clock.now() + ctx.paidTimeoutMs;
  try {
    const signed = decodePaymentSignatureHeader(header).payload as { authorization?: { validBefore?: string } };
    validBeforeMs = Number(signed.authorization?.validBefore ?? 0) * 1000 || validBeforeMs;
  } catch {
    // Not our header to read; fall back to the request timeout.
  }
  const deadline = validBeforeMs + UNKNOWN_MARGIN_MS;
  let response = first;
  while (response.status === 503 && clock.now() < deadline) {
    const body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as { error?: string } | undefined;
    if (body?.error !== ErrorCode.settlement_unknown) return response;
    const retryAfterS = Number(response.headers.get("retry-after")) || 5;
    await sleep(Math.min(retryAfterS * 1000, Math.max(0, deadline - clock.now())));
    const base = init(AbortSignal.timeout(ctx.paidTimeoutMs)) as RequestInit & { headers: Record<string, string> };
    try {
      response = await ctx.fetch(url, { ...base, headers: { ...base.headers, "payment-signature": header } });
    } catch {
      // The node is unreachable for a moment; the deadline bounds how long we keep asking.
    }
  }
  return response;
}

/** What the x402 wrapper throws, as one sentence and a code. */
function paymentError(url: string, error: unknown, kind: PaymentKind): ClientError {
  const message = error instanceof Error ? error.message : String(error);
  if (/rejected by spendControls: only default assets/.test(message)) {
    return new ClientError(`the node asked to be paid in an asset other than ${kind.asset}; nothing was signed`, {
      code: ErrorCode.unsupported_asset,
      cause: error,
    });
  }
  if (/rejected by spendControls/.test(message)) {
    return new ClientError("the node asked for more than it quoted; nothing was signed", {
      code: ErrorCode.payment_exceeds_quote,
      cause: error,
    });
  }
  if (/No network\/scheme registered/.test(message)) {
    return new ClientError(`the node's 402 offers no "${kind.scheme}" payment on ${kind.network}; nothing was signed`, {
      code: ErrorCode.unsupported_network,
      cause: error,
    });
  }
  if (/Failed to parse payment requirements/.test(message)) {
    return new ClientError("the node answered 402 without a valid x402 PAYMENT-REQUIRED header", {
      code: ErrorCode.not_x402,
      cause: error,
    });
  }
  if (/Failed to create payment payload/.test(message)) {
    return new ClientError(`could not sign the payment: ${message}`, {
      code: ErrorCode.payment_failed,
      cause: error,
    });
  }
  return unreachable(url, error);
}
