// A session's AutoRenewer: it pays through the session's lease client, reads the balance for warnings, and
// asks the tunnel's evidence before every payment.
import type { Lease } from "@wg402/shared";
import type { Clock } from "@wg402/shared/runtime";
import type { LeaseClient } from "../node/leaseClient.ts";
import { readTokenBalance } from "../wallet/balances.ts";
import { AutoRenewer } from "./autoRenewer.ts";
import { DataRenewer } from "./dataRenewer.ts";
import type { VpnSessionOptions } from "./sessionTypes.ts";

/** A channel renews 30 s before expiry: a renewal is a signature, not a transaction, so there is no hurry. */
export const CHANNEL_RENEW_AHEAD_MS = 30_000;

export function createSessionRenewer(p: {
  client: LeaseClient;
  leaseId: string;
  expiresAt: number;
  minutes: number;
  clock: Clock;
  initialLatencyMs: number;
  renewal: VpnSessionOptions["renewal"];
  /** The session takes the renewed lease; answers the expiry it now holds. */
  renewed: (lease: Lease) => Promise<number>;
  /** True when the tunnel has fresh evidence right now. */
  ready: () => Promise<boolean>;
}): AutoRenewer {
  const { client } = p;
  return new AutoRenewer({
    leaseId: p.leaseId,
    expiresAt: p.expiresAt,
    minutes: p.minutes,
    price: client.priceFor(p.minutes),
    minuteMs: client.node.secondsPerMinute * 1000,
    clock: p.clock,
    budget: client.budget,
    initialLatencyMs: p.initialLatencyMs,
    ...(client.channel ? { renewAheadMs: CHANNEL_RENEW_AHEAD_MS } : {}),
    ...p.renewal,
    target: {
      renew: async (minutes) => {
        const renewed = await client.renew(p.leaseId, minutes);
        const expiresAt = await p.renewed(renewed.lease);
        return { expiresAt, amount: renewed.payment.amount, txHash: renewed.payment.txHash };
      },
      balance: () => readTokenBalance(client.chain, client.account.address),
      ready: p.ready,
    },
  });
}

/** A data lease's renewer: it buys `megabytes` through the session's lease client as the allowance runs low. */
export function createDataRenewer(p: {
  client: LeaseClient;
  lease: Lease;
  megabytes: number;
  clock: Clock;
  initialLatencyMs: number;
  used: () => Promise<number | null>;
  renewed: (lease: Lease) => Promise<void>;
}): DataRenewer {
  const { client } = p;
  return new DataRenewer({
    leaseId: p.lease.id,
    bytesAllowed: p.lease.bytesAllowed ?? 0,
    megabytes: p.megabytes,
    price: client.priceFor(0, p.megabytes),
    clock: p.clock,
    budget: client.budget,
    initialLatencyMs: p.initialLatencyMs,
    used: p.used,
    renew: async (megabytes) => {
      const renewed = await client.renew(p.lease.id, 0, megabytes);
      await p.renewed(renewed.lease);
      return {
        bytesAllowed: renewed.lease.bytesAllowed ?? 0,
        amount: renewed.payment.amount,
        txHash: renewed.payment.txHash,
      };
    },
  });
}
