import { join } from "node:path";
import { type Lease, type UsageReceipt, UsageReceipt as UsageReceiptSchema } from "@wg402/shared";
import { createSerialQueue } from "@wg402/shared/runtime";
import { z } from "zod";
import { readIfPresent } from "../files/readIfPresent.ts";
import { writeSecretFile } from "../files/secretFile.ts";

export const SessionEndReason = z.enum([
  "spend_cap",
  "insufficient_balance",
  "renewal_failed",
  "lease_gone",
  "not_renewing",
  "disconnected",
  "stalled",
  "closed",
]);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

const BaseUnits = z.string().regex(/^[0-9]+$/);

/**
 * A session paid by escrow channel: what the channel held for it, what its seconds were charged (the node's
 * receipt), what came back at the close and the transactions; null amounts where the close never got there.
 */
export const ChannelSettlement = z.object({
  channelId: z.string(),
  deposit: BaseUnits,
  depositTxHash: z.string().nullable(),
  charged: BaseUnits.nullable(),
  refunded: BaseUnits.nullable(),
  refundTxHash: z.string().nullable(),
  refundError: z.object({ error: z.string(), message: z.string() }).nullable(),
});
export type ChannelSettlement = z.infer<typeof ChannelSettlement>;

/** One finished session: what it cost, how long it ran, what it carried, and every payment's tx hash. */
export const SessionRecord = UsageReceiptSchema.pick({
  leaseId: true,
  startedAt: true,
  endedAt: true,
  secondsUsed: true,
  bytesUp: true,
  bytesDown: true,
  totalPaid: true,
  payments: true,
}).extend({
  nodeUrl: z.string(),
  nodeName: z.string(),
  region: z.string(),
  network: z.string(),
  token: z.object({ symbol: z.string(), decimals: z.number().int().nonnegative() }),
  endCause: SessionEndReason,
  channel: ChannelSettlement.optional(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

const HistoryFile = z.object({ version: z.literal(1), sessions: z.array(SessionRecord) });

const MAX_SESSIONS = 1_000;

export type SessionFacts = Omit<
  SessionRecord,
  "startedAt" | "endedAt" | "secondsUsed" | "bytesUp" | "bytesDown" | "totalPaid" | "payments"
>;

/**
 * The record of a session from the node's usage receipt (a close) or, when the lease had already ended,
 * from its last known state. The node's numbers win over anything counted locally.
 */
export function sessionRecordFrom(
  facts: SessionFacts,
  source: { receipt: UsageReceipt } | { lease: Lease; endedAt: number },
): SessionRecord {
  if ("receipt" in source) {
    const r = source.receipt;
    return SessionRecord.parse({
      ...facts,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      secondsUsed: r.secondsUsed,
      bytesUp: r.bytesUp,
      bytesDown: r.bytesDown,
      totalPaid: r.totalPaid,
      payments: r.payments,
    });
  }
  const { lease } = source;
  const started = Date.parse(lease.createdAt);
  // A lease that ran out ended at its expiry, not when the user got round to pressing Disconnect.
  const ended = Math.min(source.endedAt, Date.parse(lease.expiresAt));
  return SessionRecord.parse({
    ...facts,
    startedAt: lease.createdAt,
    endedAt: new Date(Math.max(ended, started)).toISOString(),
    secondsUsed: Math.max(0, Math.floor((ended - started) / 1000)),
    bytesUp: lease.usage.bytesUp,
    bytesDown: lease.usage.bytesDown,
    totalPaid: lease.totalPaid,
    payments: lease.payments,
  });
}

/** A record of past sessions, for any UI: one JSON file in WG402_HOME, newest first, written atomically. */
export class SessionHistory {
  readonly path: string;
  private readonly serial = createSerialQueue();

  constructor(home: string) {
    this.path = join(home, "history.json");
  }

  /** Newest first. A missing file is an empty history; a damaged one is an error, never silently replaced. */
  async list(): Promise<SessionRecord[]> {
    const text = await readIfPresent(this.path);
    if (text === null) return [];
    return HistoryFile.parse(JSON.parse(text)).sessions;
  }

  /** Adds a session (replacing an earlier record of the same lease) and returns the new list. */
  add(record: SessionRecord): Promise<SessionRecord[]> {
    return this.serial(async () => {
      const sessions = [record, ...(await this.list()).filter((s) => s.leaseId !== record.leaseId)].slice(
        0,
        MAX_SESSIONS,
      );
      await writeSecretFile(this.path, `${JSON.stringify({ version: 1, sessions }, null, 2)}\n`);
      return sessions;
    });
  }
}
