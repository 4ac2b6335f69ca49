// One paid session as a user's client runs it: a lease, a renewal every (shortened) minute, a close, and for a
// channel the cooperative refund. Times each renewal and counts the blocks it caused.
import { randomBytes } from "node:crypto";
import type { LeaseClient } from "@wg402/client";
import type { UsageReceipt } from "@wg402/shared";
import type { Hex, PublicClient } from "viem";

/** A fetch that logs every request the client makes (method, path, status, start and duration). */
export function recordingFetch() {
  const log: { method: string; path: string; status: number; start: number; ms: number }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const start = performance.now();
    const response = await fetch(request);
    const path = new URL(request.url).pathname.replace(/\/lease\/[^/]+/, "/lease/:id");
    log.push({ method: request.method, path, status: response.status, start, ms: performance.now() - start });
    return response;
  };
  return { fetch: fetchImpl, log };
}
export type RequestLog = ReturnType<typeof recordingFetch>["log"];

/** The HTTP requests each renewal made, by kind, with their mean client-side time. */
export function requestsPerRenewal(runs: { log: RequestLog; renewals: { t0: number; t1: number }[] }[]) {
  const kinds: Record<string, { count: number; totalMs: number }> = {};
  let renewals = 0;
  let requests = 0;
  for (const run of runs) {
    for (const r of run.renewals) {
      renewals++;
      for (const entry of run.log) {
        if (entry.start < r.t0 || entry.start > r.t1) continue;
        requests++;
        const kind = `${entry.method} ${entry.path} ${entry.status}`;
        const k = kinds[kind] ?? { count: 0, totalMs: 0 };
        kinds[kind] = k;
        k.count++;
        k.totalMs += entry.ms;
      }
    }
  }
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    requestsPerRenewal: round(requests / Math.max(1, renewals)),
    byKind: Object.fromEntries(
      Object.entries(kinds).map(([kind, k]) => [
        kind,
        { perRenewal: round(k.count / renewals), meanMs: round(k.totalMs / k.count) },
      ]),
    ),
  };
}

const RENEW_AFTER_MINUTE = 0.9;

const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

export type SessionRun = Awaited<ReturnType<typeof runSession>>;

/**
 * Buys `startMinutes`, renews one minute `renewals` times, one minute apart (0.1 minute into each), and
 * closes `renewals` minutes after the lease was created. `refund: "at-close"` asks for the channel's
 * cooperative refund right after the close (what `LeaseClient.close` does); `"later"` leaves it to the caller.
 */
export async function runSession(p: {
  client: LeaseClient;
  publicClient: PublicClient;
  renewals: number;
  minuteMs: number;
  startMinutes: number;
  refund: "at-close" | "later";
}) {
  const { client, publicClient } = p;
  const createStart = performance.now();
  const created = await client.create({ publicKey: randomBytes(32).toString("base64"), minutes: p.startMinutes });
  const createEnd = performance.now();
  const leaseId = created.lease.id;
  const base = createEnd;
  const renewals: {
    ms: number;
    t0: number;
    t1: number;
    paidMs: number;
    blocks: number;
    fromBlock: bigint;
    toBlock: bigint;
    txHash: Hex | null;
  }[] = [];
  for (let i = 1; i <= p.renewals; i++) {
    // A tenth of a minute past each whole minute: LeaseClient's renewal allowance (client/src/channel/
    // renewalAllowance.ts) has the least slack for a late renewal when the lease has x.5 minutes left, and
    // refuses the node's 402 once a renewal runs late by that slack (see the bench's probes section).
    await sleepUntil(base + (i - RENEW_AFTER_MINUTE) * p.minuteMs);
    const fromBlock = await publicClient.getBlockNumber({ cacheTime: 0 });
    const t0 = performance.now();
    const renewed = await client.renew(leaseId, 1);
    const t1 = performance.now();
    const ms = t1 - t0;
    const toBlock = await publicClient.getBlockNumber({ cacheTime: 0 });
    renewals.push({
      ms,
      t0,
      t1,
      paidMs: renewed.payment.latencyMs,
      blocks: Number(toBlock - fromBlock),
      fromBlock,
      toBlock,
      txHash: renewed.payment.txHash,
    });
  }
  await sleepUntil(base + p.renewals * p.minuteMs);
  const closeStart = performance.now();
  const receipt: UsageReceipt = await client.close(leaseId, { refund: false });
  const closeEnd = performance.now();
  const session = {
    leaseId,
    created,
    renewals,
    receipt,
    createStart,
    createEnd,
    closeStart,
    closeEnd,
    refund: undefined as Awaited<ReturnType<typeof refundNow>> | undefined,
  };
  if (p.refund === "at-close") session.refund = await refundNow(client, publicClient, closeStart);
  return session;
}

/** The cooperative refund, timed from `since` (the close call) to the refund transaction's receipt. */
export async function refundNow(client: LeaseClient, publicClient: PublicClient, since: number) {
  const refund = await client.refund();
  if (!refund.ok) throw refund.error;
  // The refund answers once the facilitator has the receipt; read it to be sure it is mined.
  const receipt = refund.txHash ? await publicClient.waitForTransactionReceipt({ hash: refund.txHash }) : undefined;
  const delayMs = performance.now() - since;
  return { ...refund, delayMs, blockNumber: receipt?.blockNumber ?? null };
}
