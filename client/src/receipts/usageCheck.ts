// The node's final usage receipt against the client's own WireGuard counters. Both ends count the same
// encrypted datagrams, so an honest node differs only by framing one end counts and the other does not, and by
// time: bytes after the node's last reading (its meter lags by up to one interval when the final reading is
// missed) or after the client's (its counters were read just before the close).
import { EvmAddress, type UsageReceipt, verifyUsageReceipt } from "@wg402/shared";
import { z } from "zod";
import { ChargeCheck, type ChargePrices, chargeCheck } from "./chargeCheck.ts";

/** A WireGuard data packet's framing that one end may count and the other not: a 32-byte header and the 16-byte tag. */
export const WG_PACKET_OVERHEAD_BYTES = 32 + 16;
/** The fewest packets a byte count can be: full packets of WireGuard's default MTU. */
export const WG_MTU_BYTES = 1420;
/** Handshakes, keepalives and cookie replies, which carry no data but are counted. */
export const WG_SLACK_PACKETS = 64;
/** The node's meter interval when its info does not say (the agent's default). */
export const DEFAULT_METER_INTERVAL_SECONDS = 10;

/** The client's own counters for the node's peer: bytes it sent (up) and received (down), and when read. */
export type ClientCounters = { bytesUp: number; bytesDown: number; readAt: number };

export const ByteCheck = z.object({
  client: z.number().int().nonnegative(),
  node: z.number().int().nonnegative(),
  /** How far the node's figure may be from the client's, in that direction. */
  allowed: z.number().int().nonnegative(),
  ok: z.boolean(),
});
export type ByteCheck = z.infer<typeof ByteCheck>;

export const UsageCheck = z.object({
  /** unbound: signed, but the node advertises no signer it could be checked against. */
  signature: z.enum(["valid", "unsigned", "bad_signature", "wrong_signer", "unbound"]),
  signer: EvmAddress.nullable(),
  /** null: the client has no counters of its own (export), so the bytes are the node's word alone. */
  bytes: z.object({ up: ByteCheck, down: ByteCheck, readAt: z.iso.datetime() }).nullable(),
  /** A channel lease's charge against its own seconds and bytes (chargeCheck.ts); absent: not a channel lease. */
  charge: ChargeCheck.nullable().optional(),
  ok: z.boolean(),
});
export type UsageCheck = z.infer<typeof UsageCheck>;

/**
 * The node's figure may be lower than the client's by the framing of every packet plus what the client sent
 * in one meter interval (at its average rate over the lease), and higher by the framing plus what passed
 * between the client's reading and the close (one second more for the close itself).
 */
export function byteCheck(p: {
  client: number;
  node: number;
  secondsUsed: number;
  meterIntervalSeconds: number;
  readingAgeSeconds: number;
}): ByteCheck {
  const packets = Math.ceil(Math.max(p.client, p.node) / WG_MTU_BYTES) + WG_SLACK_PACKETS;
  const framing = packets * WG_PACKET_OVERHEAD_BYTES;
  const rate = p.client / Math.max(1, p.secondsUsed);
  const lagSeconds = p.node < p.client ? p.meterIntervalSeconds : p.readingAgeSeconds + 1;
  const allowed = framing + Math.ceil(Math.min(p.client, rate * lagSeconds));
  return { client: p.client, node: p.node, allowed, ok: Math.abs(p.node - p.client) <= allowed };
}

/** The receipt's signature (by the advertised signer) and, given the client's counters, its bytes. */
export async function checkUsageReceipt(
  receipt: UsageReceipt,
  p: {
    signer: string | null | undefined;
    counters: ClientCounters | null;
    meterIntervalSeconds?: number;
    prices?: ChargePrices;
  },
): Promise<UsageCheck> {
  const verdict = await verifyUsageReceipt(receipt, p.signer ?? null);
  const signature = verdict.valid ? "valid" : verdict.reason;
  const unbound = verdict.valid && !p.signer;
  let bytes: UsageCheck["bytes"] = null;
  if (p.counters) {
    const meterIntervalSeconds = p.meterIntervalSeconds ?? DEFAULT_METER_INTERVAL_SECONDS;
    const readingAgeSeconds = Math.max(0, (Date.parse(receipt.endedAt) - p.counters.readAt) / 1000);
    const common = { secondsUsed: receipt.secondsUsed, meterIntervalSeconds, readingAgeSeconds };
    bytes = {
      up: byteCheck({ ...common, client: p.counters.bytesUp, node: receipt.bytesUp }),
      down: byteCheck({ ...common, client: p.counters.bytesDown, node: receipt.bytesDown }),
      readAt: new Date(p.counters.readAt).toISOString(),
    };
  }
  const bytesOk = bytes === null || (bytes.up.ok && bytes.down.ok);
  const charge = chargeCheck(receipt, p.prices ?? {});
  return {
    // A signature nobody advertised proves nothing about who signed.
    signature: unbound ? "unbound" : signature,
    signer: verdict.signer,
    bytes,
    ...(charge ? { charge } : {}),
    ok: verdict.valid && !unbound && bytesOk && (charge?.ok ?? true),
  };
}

/** One line for people: what was checked and what did not hold. */
export function describeUsageCheck(check: UsageCheck): string {
  const signature =
    check.signature === "valid" ? `signed by ${check.signer}` : `signature ${check.signature.replace("_", " ")}`;
  const overcharged =
    check.charge && !check.charge.ok
      ? `; OVERCHARGED: ${check.charge.charged} base units for what the receipt says cost at most ${check.charge.most}`
      : "";
  if (!check.bytes) return `receipt ${signature}; bytes not checked (no counters of our own)${overcharged}`;
  const side = (name: string, b: ByteCheck) =>
    b.ok ? null : `${name} node ${b.node} B vs ours ${b.client} B (±${b.allowed} B allowed)`;
  const off = [side("up", check.bytes.up), side("down", check.bytes.down)].filter(Boolean);
  return off.length === 0
    ? `receipt ${signature}; bytes match our counters${overcharged}`
    : `receipt ${signature}; BYTES MISMATCH: ${off.join(", ")} (kept as evidence)${overcharged}`;
}
