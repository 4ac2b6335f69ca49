import type { NodeInfo } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { LocalAccount } from "viem";
import { parseTokenAmount } from "../chain/money.ts";
import { type Env, paymentChainFor } from "../chain/paymentChain.ts";
import { wg402Home } from "../files/home.ts";
import { ReceiptStore } from "../receipts/receiptStore.ts";
import { LeaseClient } from "./leaseClient.ts";
import { type FetchLike, fetchNodeInfo, normalizeNodeUrl } from "./nodeApi.ts";
import { choosePaymentKind, type SchemeChoice } from "./paymentKind.ts";

/** A cap as people type it, in whole tokens ("0.05"), and the name of the setting it came from (for errors). */
export type TokenCap = { amount: string; what: string };

export type OpenLeaseClientOptions = {
  nodeUrl: string;
  /** The node's info when the caller has read it already; otherwise it is read here, once. */
  node?: NodeInfo;
  /** The payer, asked for only once every check that needs no wallet has passed. */
  account: () => LocalAccount | Promise<LocalAccount>;
  /** Absent: no cap. Read in the decimals of the token the node is paid in; a bigint is base units already. */
  sessionCap?: TokenCap | bigint | null;
  maxPerPayment?: TokenCap | null;
  /** More checks that need no wallet (a tunnel driver's), run just before the wallet is asked for. */
  beforeAccount?: (node: NodeInfo) => Promise<void>;
  /** RPC overrides and the local stack file. */
  env?: Env;
  fetch?: FetchLike;
  clock?: Clock;
  /** `auto` (default): the node's escrow channel when it offers one, else `exact`. */
  scheme?: SchemeChoice;
  /** Refuse a node whose offers are not signed by the signer its info advertises (the desktop's default). */
  requireSigned?: boolean;
};

/**
 * A LeaseClient set up the one way the CLI and the desktop need it: the node's info, its chain and token and
 * the caps in that token are all checked before the wallet is unlocked. Nothing is paid.
 */
export async function openLeaseClient(options: OpenLeaseClientOptions): Promise<LeaseClient> {
  const { env, fetch, clock } = options;
  const nodeUrl = normalizeNodeUrl(options.nodeUrl);
  const node = options.node ?? (await fetchNodeInfo(nodeUrl, { fetch }));
  // Refused here, before the wallet is unlocked, when the chosen scheme is not on offer.
  const chain = await paymentChainFor(choosePaymentKind(node, options.scheme), env ?? process.env);
  const baseUnits = (cap: TokenCap | bigint | null | undefined) =>
    typeof cap === "bigint" ? cap : cap ? parseTokenAmount(cap.amount, chain.token.decimals, cap.what) : null;
  const sessionCap = baseUnits(options.sessionCap);
  const maxPerPayment = baseUnits(options.maxPerPayment);
  await options.beforeAccount?.(node);
  const account = await options.account();
  const { scheme, requireSigned } = options;
  // Receipts are kept beside the session history, in the same WG402_HOME.
  const receiptStore = new ReceiptStore(wg402Home(env ?? process.env));
  return LeaseClient.connect({
    ...{ nodeUrl, node, chain, account, sessionCap, maxPerPayment, env, fetch, clock, scheme },
    ...{ requireSigned, receiptStore },
  });
}
