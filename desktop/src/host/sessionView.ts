import { planOf } from "@wg402/shared";
import type { SessionDataView, SessionView } from "../api/views.ts";
import { type ActiveSession, amountOf } from "./activeSession.ts";
import { perHour } from "./amountView.ts";

/** What the UI shows of a session: the core's `status()` with the app's own facts, amounts formatted. */
export function sessionView(active: ActiveSession): SessionView {
  const s = active.session.status();
  const amount = (value: bigint) => amountOf(active, value);
  const { node } = active.client;
  // Paid is not connected: until the first handshake the core says "connecting". A stalled tunnel is still
  // connected here; `link.state` tells it apart.
  const phase: SessionView["phase"] = active.closing
    ? "closing"
    : active.startedAt === null || s.phase === "connecting"
      ? "connecting"
      : active.ended
        ? "ended"
        : "connected";
  return {
    phase,
    leaseId: s.leaseId,
    nodeUrl: active.client.nodeUrl,
    nodeName: active.facts.nodeName,
    region: active.facts.region,
    network: active.facts.network,
    address: active.lease?.address ?? null,
    driver: active.session.driver.kind,
    killSwitch: active.session.driver.killSwitch,
    blocked: s.blocked,
    configPath: active.configPath,
    notes: active.notes,
    startedAt: active.startedAt,
    expiresAt: s.expiresAt,
    secondsLeft: s.secondsLeft,
    secondsPerMinute: node.secondsPerMinute,
    pricePerMinute: amount(s.pricePerMinute),
    costPerHour: amount(perHour(s.pricePerMinute, node.secondsPerMinute)),
    spent: amount(s.spend.settled),
    committed: amount(s.spend.committed),
    cap: s.spend.cap === null ? null : amount(s.spend.cap),
    bytesUp: s.bytesUp,
    bytesDown: s.bytesDown,
    renewals: s.renewals,
    autoRenew: active.autoRenew,
    minutes: active.minutes,
    renewMinutes: active.renewMinutes,
    nextRenewalAt: active.ended ? null : s.nextRenewalAt,
    ended: active.ended,
    link: s.link,
    capEndsAt: s.capEndsAt,
    capSource: s.capSource,
    scheme: active.client.channel ? "batch-settlement" : "exact",
    channel: active.channel && {
      channelId: active.channel.channelId,
      deposit: amount(active.channel.deposit),
      depositMade: active.channel.depositMade === null ? null : amount(active.channel.depositMade),
      // What the vouchers cover above the lease's start: the minutes bought, at the price.
      ceiling: amount(s.spend.committed),
    },
    plan: active.lease?.plan ?? planOf(active),
    data: dataView(active, s),
  };
}

/** The allowance by the node's count: from the lease's first answer on, and only for a lease that has one. */
function dataView(active: ActiveSession, s: ReturnType<ActiveSession["session"]["status"]>): SessionDataView | null {
  const price = active.client.pricePerMb;
  if (s.bytesAllowed === null || s.bytesLeft === null || price === null) return null;
  return {
    bytesAllowed: s.bytesAllowed,
    bytesLeft: s.bytesLeft,
    rate: s.dataRate,
    megabytes: active.megabytes,
    renewMegabytes: active.autoRenew && active.renewMegabytes > 0 ? active.renewMegabytes : null,
    pricePerMb: amountOf(active, price),
  };
}
