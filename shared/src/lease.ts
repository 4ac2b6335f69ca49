import { z } from "zod";
import { Caip2Network } from "./chains.ts";
import { LeasePlan } from "./leaseUnits.ts";
import { NodeChallengeAnswer } from "./nodeChallenge.ts";
import { Bytes32Hex } from "./paymentIdentity.ts";

// 32 bytes in canonical padded base64 is 43 symbols + "="; the 43rd symbol carries only 4 bits, so its two
// low bits must be zero. Anything else (whitespace, URL-safe alphabet, extra text) is not a WireGuard key.
const WG_KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** A WireGuard (Curve25519) public key: exactly 32 bytes, canonical base64. */
export const WireguardPublicKey = z
  .string()
  .regex(WG_KEY_PATTERN, "must be exactly 32 bytes of standard base64 (44 characters ending in '=')");
export type WireguardPublicKey = z.infer<typeof WireguardPublicKey>;

export const EvmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");
export type EvmAddress = z.infer<typeof EvmAddress>;

export const TxHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex hash");
export type TxHash = z.infer<typeof TxHash>;

/** Token amounts travel as decimal strings of base units, so that no float ever touches money. */
export const TokenAmount = z.string().regex(/^(0|[1-9][0-9]*)$/, "must be an integer amount in base units");
export type TokenAmount = z.infer<typeof TokenAmount>;

export const LeaseMinutes = z.number().int("must be a whole number of minutes").positive();
export type LeaseMinutes = z.infer<typeof LeaseMinutes>;

export const LeaseMegabytes = z.number().int("must be a whole number of megabytes").positive();
export type LeaseMegabytes = z.infer<typeof LeaseMegabytes>;

/** Minutes or megabytes a payment bought: 0 for the unit it did not buy. */
const UnitCount = z.number().int().nonnegative();

export const LeaseId = z.string().regex(/^lease_[0-9a-f]{32}$/, "is not a lease id");
export type LeaseId = z.infer<typeof LeaseId>;

export const LeaseState = z.enum(["pending", "active", "expired", "closed"]);
export type LeaseState = z.infer<typeof LeaseState>;

const buysSomething = (units: { minutes?: number; megabytes?: number }) =>
  units.minutes !== undefined || units.megabytes !== undefined;
const buysSomethingIssue = { message: "buy minutes, megabytes or both", path: ["minutes"] };

/**
 * `POST /lease`: the client keeps its WireGuard private key and sends only the public one. Minutes make a
 * time lease, megabytes a data lease, both a hybrid one (see {@link LeasePlan}).
 */
export const CreateLeaseRequest = z
  .strictObject({
    publicKey: WireguardPublicKey,
    minutes: LeaseMinutes.optional(),
    megabytes: LeaseMegabytes.optional(),
  })
  .refine(buysSomething, buysSomethingIssue);
export type CreateLeaseRequest = z.infer<typeof CreateLeaseRequest>;

/** `POST /lease/:id/renew`: more of what the lease is limited by. */
export const RenewLeaseRequest = z
  .strictObject({
    minutes: LeaseMinutes.optional(),
    megabytes: LeaseMegabytes.optional(),
  })
  .refine(buysSomething, buysSomethingIssue);
export type RenewLeaseRequest = z.infer<typeof RenewLeaseRequest>;

/** What a payment kind looks like to a buyer: everything needed to price and sign it. */
export const PaymentKind = z.object({
  scheme: z.string(),
  network: Caip2Network,
  asset: EvmAddress,
  symbol: z.string(),
  decimals: z.number().int().nonnegative(),
  payTo: EvmAddress,
});
export type PaymentKind = z.infer<typeof PaymentKind>;

/** The human- and script-readable price that restates a 402's PAYMENT-REQUIRED header. */
export const LeaseQuote = z.object({
  error: z.literal("payment_required"),
  message: z.string(),
  minutes: UnitCount,
  megabytes: UnitCount.default(0),
  pricePerMinute: TokenAmount,
  /** Null on a node that sells only time. */
  pricePerMb: TokenAmount.nullable().default(null),
  total: TokenAmount,
  /** The total in whole tokens, e.g. "0.05", for people. */
  totalFormatted: z.string(),
  accepts: z.array(PaymentKind).min(1),
});
export type LeaseQuote = z.infer<typeof LeaseQuote>;

export const LeasePayment = z.object({
  scheme: z.string(),
  network: Caip2Network,
  payer: EvmAddress,
  amount: TokenAmount,
  minutes: UnitCount,
  megabytes: UnitCount.default(0),
  txHash: TxHash.nullable(),
  paidAt: z.iso.datetime(),
});
export type LeasePayment = z.infer<typeof LeasePayment>;

export const LeaseUsage = z.object({
  bytesUp: z.number().int().nonnegative(),
  bytesDown: z.number().int().nonnegative(),
  lastHandshakeAt: z.iso.datetime().nullable(),
});
export type LeaseUsage = z.infer<typeof LeaseUsage>;

export const Lease = z.object({
  id: LeaseId,
  state: LeaseState,
  publicKey: WireguardPublicKey,
  payer: EvmAddress.nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
  secondsLeft: z.number().int().nonnegative(),
  /** What ends the lease: its time, its data allowance, or whichever runs out first. */
  plan: LeasePlan.default("time"),
  /** The data allowance in bytes (up + down) and what is left of it; null for a time lease. */
  bytesAllowed: z.number().int().nonnegative().nullable().default(null),
  bytesLeft: z.number().int().nonnegative().nullable().default(null),
  address: z.string(),
  totalPaid: TokenAmount,
  payments: z.array(LeasePayment),
  usage: LeaseUsage,
});
export type Lease = z.infer<typeof Lease>;

/** What `GET /lease/:id` tells anyone who cannot prove they paid for the lease. */
export const LeaseSummary = z.strictObject({
  id: LeaseId,
  state: LeaseState,
  expiresAt: z.iso.datetime(),
});
export type LeaseSummary = z.infer<typeof LeaseSummary>;

export const RenewLeaseResponse = z.object({
  lease: Lease,
  /** Minutes and megabytes this renewal bought. */
  minutes: UnitCount,
  megabytes: UnitCount.default(0),
});
export type RenewLeaseResponse = z.infer<typeof RenewLeaseResponse>;

/** What a closed lease cost and carried: returned by `DELETE /lease/:id`. */
export const UsageReceipt = z.object({
  leaseId: LeaseId,
  state: LeaseState,
  payer: EvmAddress.nullable(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  secondsUsed: z.number().int().nonnegative(),
  bytesUp: z.number().int().nonnegative(),
  bytesDown: z.number().int().nonnegative(),
  totalPaid: TokenAmount,
  payments: z.array(LeasePayment),
  /**
   * A lease paid by escrow channel: what it was charged by the second (`totalPaid` counts what its vouchers
   * authorized), and the channel's whole charge after it (the deposit above that is the payer's).
   */
  channel: z.object({ channelId: Bytes32Hex, charged: TokenAmount, chargedTotal: TokenAmount }).optional(),
  /** The node's WireGuard public key: which node's tunnel the bytes crossed (signed with the rest). */
  node: WireguardPublicKey.optional(),
  /** The node's EIP-712 signature over everything above (see usageReceiptTypedData.ts). */
  proof: z
    .object({
      format: z.literal("eip712"),
      /** The chain id of the EIP-712 domain: the chain the lease was paid on. */
      chainId: z.number().int().positive(),
      signer: EvmAddress,
      signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature"),
    })
    .optional(),
});
export type UsageReceipt = z.infer<typeof UsageReceipt>;
export type UsageReceiptProof = NonNullable<UsageReceipt["proof"]>;

/** `DELETE /lease/:id` body: the payer's EIP-712 signature over {@link leaseActionTypedData}. */
export const CloseLeaseRequest = z.strictObject({
  timestamp: z.number().int().positive(),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature"),
});
export type CloseLeaseRequest = z.infer<typeof CloseLeaseRequest>;

/** How far in the past a signed lease action's timestamp may be on the node's clock. */
export const LEASE_ACTION_MAX_SKEW_SECONDS = 120;
/** How far in the future it may be: clocks drift by seconds, and a later date would extend its validity. */
export const LEASE_ACTION_MAX_FUTURE_SKEW_SECONDS = 5;

/** What a payer may do to a lease with a signature instead of a payment. */
export const LeaseAction = z.enum(["close", "view"]);
export type LeaseAction = z.infer<typeof LeaseAction>;

/**
 * The request header that proves a `GET /lease/:id` comes from the payer: `<timestamp>.<signature>`, the
 * payer's EIP-712 signature of `LeaseAction(leaseId, "view", timestamp)`.
 */
export const LEASE_AUTH_HEADER = "wg402-lease-auth";

export const formatLeaseAuth = (auth: { timestamp: number; signature: string }) =>
  `${auth.timestamp}.${auth.signature}`;

/** The {@link LEASE_AUTH_HEADER} value as a {@link CloseLeaseRequest}-shaped proof, or undefined if malformed. */
export function parseLeaseAuth(value: string): CloseLeaseRequest | undefined {
  const [timestamp, signature, extra] = value.trim().split(".");
  if (extra !== undefined || !timestamp || !/^[0-9]{1,12}$/.test(timestamp)) return undefined;
  const parsed = CloseLeaseRequest.safeParse({ timestamp: Number(timestamp), signature });
  return parsed.success ? parsed.data : undefined;
}

/** The EIP-712 message a payer signs to act on a lease without a payment (view it, close it early). */
export function leaseActionTypedData(parameters: {
  chainId: number;
  leaseId: string;
  action: LeaseAction;
  timestamp: number;
}) {
  return {
    domain: { name: "wg402", version: "1", chainId: parameters.chainId },
    types: {
      LeaseAction: [
        { name: "leaseId", type: "string" },
        { name: "action", type: "string" },
        { name: "timestamp", type: "uint256" },
      ],
    },
    primaryType: "LeaseAction",
    message: { leaseId: parameters.leaseId, action: parameters.action, timestamp: BigInt(parameters.timestamp) },
  } as const;
}

/** `GET /`: what a buyer needs to choose this node and to pay it. */
/**
 * The node's own NodeRegistry entry as it last read it (issue 16). pending: not read yet, or a transaction is on
 * its way; foreign: the entry of this key belongs to another operator (left untouched); error: the chain could
 * not be read or refused the entry (`message` says why); active, leaving, understaked: as the contract lists it.
 */
export const NodeRegistryStatus = z.enum(["active", "leaving", "understaked", "pending", "foreign", "error"]);
export type NodeRegistryStatus = z.infer<typeof NodeRegistryStatus>;

export const NodeRegistryView = z.object({
  /** The NodeRegistry contract. */
  address: EvmAddress,
  /** The entry's id: the node's WireGuard key as bytes32. */
  id: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  status: NodeRegistryStatus,
  operator: EvmAddress.optional(),
  /** Base units of the registry's stake token. */
  stake: z.string().regex(/^\d+$/).optional(),
  version: z.number().int().positive().optional(),
  /** Unix seconds; present only while unbonding. */
  unbondingEndsAt: z.number().int().positive().optional(),
  message: z.string().optional(),
});
export type NodeRegistryView = z.infer<typeof NodeRegistryView>;

export const NodeInfo = z.object({
  name: z.string(),
  version: z.string(),
  region: z.string(),
  publicKey: WireguardPublicKey,
  endpoint: z.string(),
  subnet: z.string(),
  dns: z.array(z.string()),
  pricePerMinute: TokenAmount,
  minMinutes: LeaseMinutes,
  maxMinutes: LeaseMinutes,
  /**
   * Data: the price of one MB (10^6 bytes up + down), the bounds of a purchase, the block a channel charges
   * by, and how long a data-only lease stays valid after each purchase. Absent on a node that sells only time.
   */
  data: z
    .object({
      pricePerMb: TokenAmount,
      minMegabytes: LeaseMegabytes,
      maxMegabytes: LeaseMegabytes,
      blockBytes: z.number().int().positive(),
      validityMinutes: LeaseMinutes,
      /** The fastest the node reads a lease's counters as it nears its allowance. */
      meterMinIntervalMs: z.number().int().positive(),
    })
    .optional(),
  /** Seconds in one billed minute: 60, except on test nodes. */
  secondsPerMinute: z.number().int().positive(),
  graceSeconds: z.number().int().nonnegative(),
  accepts: z.array(PaymentKind).min(1),
  facilitator: z.string(),
  capacity: z.object({ total: z.number().int(), available: z.number().int() }),
  driver: z.string(),
  /**
   * The address that signs this node's x402 offers and receipts and its usage receipts (EIP-712): a key of
   * the node's own, never its payTo. Absent on nodes that sign nothing.
   */
  offerSigner: EvmAddress.optional(),
  /** How often the node reads WireGuard's counters: a receipt's bytes may lag the client's by one interval. */
  meterIntervalSeconds: z.number().int().positive().optional(),
  /** `GET /?challenge=…`: the node's signature over the challenge, its key and endpoint (nodeChallenge.ts). */
  challenge: NodeChallengeAnswer.optional(),
  /** The node's registry entry, on nodes that register themselves (AGENT_REGISTRY=on). */
  registry: NodeRegistryView.optional(),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

/** Everything the client needs to bring its side of the tunnel up. */
export const TunnelConfig = z.object({
  serverPublicKey: WireguardPublicKey,
  endpoint: z.string(),
  address: z.string(),
  allowedIps: z.array(z.string()),
  dns: z.array(z.string()),
  /** wg-quick text with `PRIVATE_KEY_PLACEHOLDER` where the client writes its own private key. */
  configText: z.string(),
});
export type TunnelConfig = z.infer<typeof TunnelConfig>;

export const CreateLeaseResponse = z.object({
  lease: Lease,
  tunnel: TunnelConfig,
  /**
   * A bearer token for `GET /lease/:id` (`Authorization: Bearer …`), so a status check needs no wallet.
   * Sent once, in the first answer that carries the lease; copies of the answer go without it.
   */
  leaseToken: z.string().min(16).optional(),
});
export type CreateLeaseResponse = z.infer<typeof CreateLeaseResponse>;

export const WIREGUARD_PRIVATE_KEY_PLACEHOLDER = "PRIVATE_KEY_PLACEHOLDER";
