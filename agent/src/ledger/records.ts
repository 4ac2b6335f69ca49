import type { SQLInputValue } from "node:sqlite";
import type { LeasePlan } from "@wg402/shared";
import type { AgentPaymentIdentity } from "../channels/channelIdentity.ts";
import type { MeterState } from "../metering/readMeter.ts";

export type LeaseState = "pending" | "active" | "expired" | "closed";

export type LeaseRecord = {
  id: string;
  publicKey: string;
  payer: string | null;
  state: LeaseState;
  address: string;
  /** When its paid time started (its first payment settled); the reservation time while pending. */
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  bytesUp: number;
  bytesDown: number;
  lastHandshakeAt: number | null;
  meter: MeterState;
  /** What ends it: its time, its data allowance, or whichever runs out first. */
  plan: LeasePlan;
  /** Bytes (up + down) it may move; null for a time lease. */
  bytesAllowed: number | null;
  /** Set once a channel paid for it: the bill counts from `t0` (ms), when the channel had charged `c0`. */
  channel: LeaseChannel | null;
};

/**
 * The bill counts from `t0` (ms) and `b0` (bytes moved), when the channel had charged `c0`. `opening`: the
 * channel's charge when it began paying for the lease (`c0` moves on after a lapse).
 */
export type LeaseChannel = { id: string; t0: number; b0: number; c0: bigint; opening: bigint };

/**
 * `pending`: verified and reserved, settlement running. `unknown`: settlement ended without an answer that
 * says whether money moved (the facilitator died, timed out, or its transaction is unconfirmed); only the
 * chain can tell. `settled` and `failed` are final.
 */
export type PaymentStatus = "pending" | "unknown" | "settled" | "failed";

export type PaymentRecord = {
  paymentKey: string;
  leaseId: string;
  kind: "create" | "renew";
  status: PaymentStatus;
  scheme: string;
  network: string;
  asset: string;
  payer: string;
  nonce: string;
  /** Unix seconds: past this the authorization can never be spent. */
  validBefore: number;
  digest: string;
  /** What the payment buys, e.g. `create:<key>:<minutes>[:<megabytes>]`; a duplicate must ask for the same thing. */
  target: string;
  amount: string;
  minutes: number;
  megabytes: number;
  /** The signed payment and the requirements it matched, kept so an interrupted settlement can finish. */
  payload: string | null;
  requirements: string | null;
  /** The paid answer as first sent, replayed to a duplicate of this payment. */
  answer: string | null;
  txHash: string | null;
  failureReason: string | null;
  createdAt: number;
  settledAt: number | null;
};

export type NewPayment = {
  identity: AgentPaymentIdentity;
  target: string;
  minutes: number;
  megabytes: number;
  payload: unknown;
  requirements: unknown;
};

export type Usage = { bytesUp: number; bytesDown: number; lastHandshakeAt: number | null };

/** A meter reading to store: the generation state, and the handshake time the device reported. */
export type MeterUpdate = { meter: MeterState; lastHandshakeAt: number | null };

const nullableNumber = (value: SQLInputValue | undefined) => (value === null ? null : Number(value));

export const leaseFromRow = (r: Record<string, SQLInputValue>): LeaseRecord => ({
  id: r.id as string,
  publicKey: r.public_key as string,
  payer: (r.payer as string | null) ?? null,
  state: r.state as LeaseState,
  address: r.address as string,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  endedAt: nullableNumber(r.ended_at),
  bytesUp: Number(r.bytes_up),
  bytesDown: Number(r.bytes_down),
  lastHandshakeAt: nullableNumber(r.last_handshake_at),
  meter: {
    carriedUp: Number(r.carried_up),
    carriedDown: Number(r.carried_down),
    seenUp: Number(r.seen_up),
    seenDown: Number(r.seen_down),
  },
  plan: ((r.plan as string | undefined) ?? "time") as LeasePlan,
  bytesAllowed: nullableNumber(r.bytes_allowed ?? null),
  channel:
    r.channel_id === null || r.channel_id === undefined
      ? null
      : {
          id: r.channel_id as string,
          t0: Number(r.channel_t0),
          b0: Number(r.channel_b0 ?? 0),
          c0: BigInt(r.channel_c0 as string),
          opening: BigInt((r.channel_opening_c0 ?? r.channel_c0) as string),
        },
});

export const paymentFromRow = (r: Record<string, SQLInputValue>): PaymentRecord => ({
  paymentKey: r.payment_key as string,
  leaseId: r.lease_id as string,
  kind: r.kind as PaymentRecord["kind"],
  status: r.status as PaymentStatus,
  scheme: r.scheme as string,
  network: r.network as string,
  asset: r.asset as string,
  payer: r.payer as string,
  nonce: r.nonce as string,
  validBefore: Number(r.valid_before),
  digest: r.digest as string,
  target: r.target as string,
  amount: r.amount as string,
  minutes: Number(r.minutes),
  megabytes: Number(r.megabytes ?? 0),
  payload: (r.payload as string | null) ?? null,
  requirements: (r.requirements as string | null) ?? null,
  answer: (r.answer as string | null) ?? null,
  txHash: (r.tx_hash as string | null) ?? null,
  failureReason: (r.failure_reason as string | null) ?? null,
  createdAt: Number(r.created_at),
  settledAt: nullableNumber(r.settled_at),
});
