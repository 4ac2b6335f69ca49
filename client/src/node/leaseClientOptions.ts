import type { Clock } from "@wg402/shared/runtime";
import type { ClientChannelStorage } from "@x402/evm/batch-settlement/client";
import type { LocalAccount } from "viem";
import type { Env } from "../chain/paymentChain.ts";
import type { ReceiptStore } from "../receipts/receiptStore.ts";
import type { FetchLike } from "./nodeApi.ts";
import type { SchemeChoice } from "./paymentKind.ts";

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
  /** Signature timestamps, payment latency and the waits between asking about an unknown settlement. */
  clock?: Clock;
  /** `auto` (default): the escrow channel when the node offers one, else `exact`. */
  scheme?: SchemeChoice;
  /** Channel records; default: the SDK's file storage beside the wallet (WG402_HOME/channels). */
  channelStorage?: ClientChannelStorage;
  /** The deposit a new channel gets; default the session cap (else just what the first voucher needs). */
  deposit?: bigint | null;
  /** Refuse to pay without an offer signed by the node's advertised offerSigner (a bad signature always is). */
  requireSigned?: boolean;
  /** Where receipts are kept (openLeaseClient: WG402_HOME/receipts.jsonl); without one they are only checked. */
  receiptStore?: ReceiptStore | null;
};
