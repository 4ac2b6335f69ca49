import { z } from "zod";
import { Caip2Network } from "./chains.ts";

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

export const LeaseId = z.string().regex(/^lease_[0-9a-z]{16,32}$/, "is not a lease id");
export type LeaseId = z.infer<typeof LeaseId>;

export const LeaseState = z.enum(["pending", "active", "expired", "closed"]);
export type LeaseState = z.infer<typeof LeaseState>;

/** `POST /lease`: the client keeps its WireGuard private key and sends only the public one. */
export const CreateLeaseRequest = z.strictObject({
  publicKey: WireguardPublicKey,
  minutes: LeaseMinutes,
});
export type CreateLeaseRequest = z.infer<typeof CreateLeaseRequest>;

/** `POST /lease/:id/renew`. */
export const RenewLeaseRequest = z.strictObject({
  minutes: LeaseMinutes,
});
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
  minutes: LeaseMinutes,
  pricePerMinute: TokenAmount,
  total: TokenAmount,
  accepts: z.array(PaymentKind).min(1),
});
export type LeaseQuote = z.infer<typeof LeaseQuote>;

export const LeasePayment = z.object({
  scheme: z.string(),
  network: Caip2Network,
  payer: EvmAddress,
  amount: TokenAmount,
  minutes: LeaseMinutes,
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
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  secondsLeft: z.number().int().nonnegative(),
  address: z.string(),
  totalPaid: TokenAmount,
  payments: z.array(LeasePayment),
  usage: LeaseUsage,
});
export type Lease = z.infer<typeof Lease>;

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
});
export type CreateLeaseResponse = z.infer<typeof CreateLeaseResponse>;

export const WIREGUARD_PRIVATE_KEY_PLACEHOLDER = "PRIVATE_KEY_PLACEHOLDER";
