// How `wg402 connect` tells a session's life: one NDJSON event per line with `--json`, sentences otherwise.
// Every event of the core's VpnSession has its line here; the command itself only drives the session.
import { describeUnits, ErrorCode } from "@wg402/shared";
import type { ChannelTerms } from "../channel/channelTerms.ts";
import type { LeaseClient } from "../node/leaseClient.ts";
import { describeUsageCheck } from "../receipts/usageCheck.ts";
import { plural } from "../runtime/plural.ts";
import type { LinkStatus } from "../session/linkMonitor.ts";
import type { SessionPlan } from "../session/sessionPlan.ts";
import type { SessionEndCause } from "../session/sessionTypes.ts";
import type { VpnSession } from "../session/vpnSession.ts";
import { keptJson, keptText, refundJson, refundText } from "./channelRefundReport.ts";
import { ExitCode } from "./exitCodes.ts";
import { formatBytes, formatDuration } from "./liveLine.ts";
import type { Output } from "./output.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : formatDuration(ms / 1000));

/** A link's evidence for JSON: times as ISO strings, like every other time the CLI prints. */
export function linkJson(link: LinkStatus | null): Record<string, unknown> | null {
  if (!link) return null;
  return {
    ...link,
    lastHandshakeAt: link.lastHandshakeAt === null ? null : iso(link.lastHandshakeAt),
    lastReceivedAt: link.lastReceivedAt === null ? null : iso(link.lastReceivedAt),
  };
}

/** The plan, before anything is paid: price, first payment, cap, and what happens to unused time. */
export function planText(plan: SessionPlan, client: LeaseClient): string[] {
  const amount = (value: bigint) => client.formatAmount(value);
  const minute = plan.secondsPerMinute === 60 ? "minute" : `minute (${plan.secondsPerMinute} s on this node)`;
  const cap =
    plan.cap === null
      ? "no spend cap (--max-spend none)"
      : `spend cap ${amount(plan.cap)}${plan.capMinutes === null ? "" : ` (${plural(plan.capMinutes, "minute")})`}${
          plan.capSource === "default"
            ? ": the default, one hour at this node's price; --max-spend sets another, --max-spend none removes it"
            : ""
        }`;
  const dataRenewal =
    plan.renewMegabytes !== null && plan.dataRenewalAmount !== null
      ? [
          `  then ${amount(plan.dataRenewalAmount)} per ${plan.renewMegabytes} MB as the data runs low, up to the ${cap}`,
        ]
      : [];
  const timeRenewal =
    plan.renewMinutes !== null && plan.renewalAmount !== null
      ? [`  then ${amount(plan.renewalAmount)} per renewal of ${plural(plan.renewMinutes, "minute")}, up to the ${cap}`]
      : [];
  return [
    `${plan.nodeName} (${plan.nodeUrl}): ${amount(plan.pricePerMinute)} per ${minute}${plan.pricePerMb === null ? "" : `, ${amount(plan.pricePerMb)} per MB`}`,
    `  first payment ${amount(plan.amount)} for ${describeUnits(plan)} (balance ${amount(plan.balance)})`,
    ...timeRenewal,
    ...dataRenewal,
    ...(timeRenewal.length + dataRenewal.length === 0 ? [`  no renewals; ${cap}`] : []),
    ...(plan.channel
      ? channelText(plan.channel, amount)
      : ["  prepaid minutes are not refunded if you disconnect early (exact payments are final transfers)"]),
  ];
}

function channelText(c: ChannelTerms, amount: (value: bigint) => string): string[] {
  const delay = c.withdrawDelaySeconds === null ? "" : ` (withdraw delay ${formatDuration(c.withdrawDelaySeconds)})`;
  return [
    c.deposit > 0n
      ? `  paid by escrow channel ${c.channelId}: deposit ${amount(c.deposit)} now${c.minDeposit === null ? "" : ` (node's minimum ${amount(c.minDeposit)})`}`
      : `  paid by escrow channel ${c.channelId}: it holds ${amount(c.balance)} already, no new deposit`,
    `  gas is paid by the facilitator; facilitator fee ${amount(c.facilitatorFee)}; renewals send no transaction`,
    `  ${c.refundRule}${delay}`,
  ];
}

export const endings: Record<
  SessionEndCause,
  { exitCode: number; code: string; message: (renewals: number) => string }
> = {
  spend_cap: {
    exitCode: ExitCode.spendCap,
    code: ErrorCode.spend_cap_exceeded,
    message: (n) => `the spend cap is reached after ${plural(n, "renewal")}`,
  },
  insufficient_balance: {
    exitCode: ExitCode.funds,
    code: ErrorCode.insufficient_balance,
    message: () => "the wallet's balance does not cover another renewal",
  },
  renewal_failed: {
    exitCode: ExitCode.payment,
    code: ErrorCode.payment_failed,
    message: () => "renewals kept failing until the lease ran out",
  },
  lease_gone: {
    exitCode: ExitCode.lease,
    code: ErrorCode.lease_not_active,
    message: () => "the node no longer has this lease",
  },
  stalled: {
    exitCode: ExitCode.tunnel,
    code: ErrorCode.no_handshake,
    message: () => "the tunnel stopped answering (no WireGuard handshake), so it was not renewed",
  },
  not_renewing: { exitCode: ExitCode.ok, code: "", message: () => "the lease ran out" },
  disconnected: { exitCode: ExitCode.ok, code: "", message: () => "disconnected" },
};

const expiredText: Record<SessionEndCause, string> = {
  spend_cap: "the lease ran out: the spend cap stopped the renewals",
  insufficient_balance: "the lease ran out: the balance could not pay another renewal",
  renewal_failed: "the lease ran out: renewals failed",
  lease_gone: "the node no longer has this lease",
  stalled: "the lease ran out: the tunnel had stalled (no handshake), so nothing more was paid",
  not_renewing: "the lease ran out (not renewing)",
  disconnected: "the lease was closed by `wg402 disconnect`",
};

function quiet(link: LinkStatus): string {
  const since = link.lastReceivedAt ?? link.lastHandshakeAt;
  return since === null ? "ever" : `for ${formatDuration((Date.now() - since) / 1000)}`;
}

/** Subscribes `out` to every event of `session`. */
export function reportSession(session: VpnSession, out: Output, client: LeaseClient): void {
  const amount = (value: bigint) => client.formatAmount(value);
  const { nodeUrl, node } = client;
  session.on("plan", (plan) => out.event("plan", { ...plan, firstPayment: plan.amount }, planText(plan, client)));
  session.on("leased", (e) => {
    // A QR code is for eyes and cameras: only on a terminal.
    if (e.tunnel.qr && out.tty) out.line(e.tunnel.qr);
    const { lease, payment, tunnel } = e;
    out.event(
      "leased",
      {
        leaseId: lease.id,
        nodeUrl,
        address: lease.address,
        expiresAt: lease.expiresAt,
        minutes: session.minutes,
        megabytes: session.megabytes,
        amount: payment.amount,
        txHash: payment.txHash,
        driver: session.driver.kind,
        interface: session.interfaceName,
        configPath: tunnel.handle.configPath,
        handshakeTimeoutMs: e.handshakeTimeoutMs,
      },
      [
        `paid ${amount(payment.amount)} for ${describeUnits(session)}${payment.txHash ? ` (tx ${payment.txHash})` : ""}: lease ${lease.id}, address ${lease.address}`,
        ...tunnel.notes,
        `waiting for the WireGuard handshake (up to ${seconds(e.handshakeTimeoutMs)})…`,
      ],
    );
  });
  session.on("connected", (e) => {
    const age = e.link.handshakeAgeMs;
    out.event(
      "connected",
      {
        leaseId: e.lease.id,
        nodeUrl,
        address: e.lease.address,
        expiresAt: e.lease.expiresAt,
        minutes: session.minutes,
        amount: e.payment.amount,
        txHash: e.payment.txHash,
        driver: session.driver.kind,
        interface: session.interfaceName,
        configPath: e.tunnel.handle.configPath,
        autoRenew: session.autoRenew,
        link: linkJson(e.link),
      },
      [
        `connected to ${node.name} (${nodeUrl}): lease ${e.lease.id}, address ${e.lease.address}${age === null ? "" : `, WireGuard handshake ${(age / 1000).toFixed(1)} s ago`}`,
        session.autoRenew
          ? "renewing before expiry while the tunnel answers; Ctrl-C disconnects"
          : "not renewing; Ctrl-C disconnects",
      ],
    );
  });
  session.on("stalled", (e) =>
    out.event(
      "stalled",
      { leaseId: e.leaseId, expiresAt: iso(e.expiresAt), link: linkJson(e.link) },
      `stalled: no handshake and nothing received from the node ${quiet(e.link)}; nothing more is paid, and the lease runs out at ${iso(e.expiresAt)} unless the tunnel answers again`,
    ),
  );
  session.on("recovered", (e) =>
    out.event(
      "recovered",
      { leaseId: e.leaseId, expiresAt: iso(e.expiresAt), link: linkJson(e.link) },
      "the tunnel answers again: renewing resumes",
    ),
  );
  session.on("extended", (e) =>
    out.event(
      "extended",
      {
        leaseId: e.leaseId,
        expiresAt: iso(e.expiresAt),
        nextRenewalAt: e.nextRenewalAt === null ? null : iso(e.nextRenewalAt),
      },
      `the lease was renewed elsewhere: it now expires at ${iso(e.expiresAt)}${e.nextRenewalAt === null ? "" : `; next renewal at ${iso(e.nextRenewalAt)}`}`,
    ),
  );
  session.on("capEnding", (e) =>
    out.event(
      "capEnding",
      { leaseId: e.leaseId, capEndsAt: iso(e.capEndsAt), cap: e.cap, committed: e.committed },
      `the spend cap${e.cap === null ? "" : ` of ${amount(e.cap)}`} ends this session at ${iso(e.capEndsAt)} (in ${formatDuration((e.capEndsAt - Date.now()) / 1000)})`,
    ),
  );
  session.on("renewed", (e) =>
    out.event(
      "renewed",
      {
        leaseId: e.leaseId,
        minutes: e.minutes,
        amount: e.amount,
        txHash: e.txHash,
        expiresAt: iso(e.expiresAt),
        latencyMs: e.latencyMs,
        renewals: e.renewals,
        spent: e.spend.settled,
        committed: e.spend.committed,
        cap: e.spend.cap,
      },
      `renewed +${plural(e.minutes, "minute")} for ${amount(e.amount)}${e.txHash ? ` (tx ${e.txHash})` : ""}; expires ${iso(e.expiresAt)}`,
    ),
  );
  session.on("dataRenewed", (e) =>
    out.event(
      "dataRenewed",
      {
        leaseId: e.leaseId,
        megabytes: e.megabytes,
        amount: e.amount,
        txHash: e.txHash,
        bytesAllowed: e.bytesAllowed,
        latencyMs: e.latencyMs,
        rate: Math.round(e.rate),
        renewals: e.renewals,
        spent: e.spend.settled,
        committed: e.spend.committed,
        cap: e.spend.cap,
      },
      `renewed +${e.megabytes} MB for ${amount(e.amount)}${e.txHash ? ` (tx ${e.txHash})` : ""} at ${formatBytes(e.rate)}/s; allowance ${formatBytes(e.bytesAllowed)}`,
    ),
  );
  session.on("lowBalance", (e) =>
    out.event(
      "lowBalance",
      { leaseId: e.leaseId, balance: e.balance, price: e.price, renewalsLeft: e.renewalsLeft },
      `low balance: ${amount(e.balance)} covers ${plural(e.renewalsLeft, "more renewal")}`,
    ),
  );
  session.on("capReached", (e) =>
    out.event(
      "capReached",
      { leaseId: e.leaseId, cap: e.cap, committed: e.committed, needed: e.needed, expiresAt: iso(e.expiresAt) },
      `spend cap reached: ${amount(e.committed)} of ${e.cap === null ? "?" : amount(e.cap)} spent, the next renewal costs ${amount(e.needed)}; the lease runs out at ${iso(e.expiresAt)}`,
    ),
  );
  session.on("renewalFailed", (e) =>
    out.event(
      "renewalFailed",
      { leaseId: e.leaseId, code: e.code, message: e.message, attempt: e.attempt, retryInMs: e.retryInMs },
      `renewal failed (${e.code}): ${e.message}; ${e.retryInMs === null ? "no retry before expiry" : `retrying in ${(e.retryInMs / 1000).toFixed(1)} s`}`,
    ),
  );
  session.on("expired", (e) =>
    out.event("expired", { leaseId: e.leaseId, expiresAt: iso(e.expiresAt), cause: e.cause }, expiredText[e.cause]),
  );
  session.on("blocked", (e) =>
    out.event(
      "blocked",
      { leaseId: e.leaseId, interface: e.interfaceName },
      `kill switch on: ${e.interfaceName} and its routes stay, carrying nothing, so traffic cannot fall back to the open internet`,
    ),
  );
  session.on("status", (s) => {
    if (!out.json) return;
    out.event(
      "status",
      {
        leaseId: s.leaseId,
        phase: s.phase,
        expiresAt: s.expiresAt === null ? null : iso(s.expiresAt),
        secondsLeft: s.secondsLeft,
        spent: s.spend.settled,
        pricePerMinute: s.pricePerMinute,
        bytesUp: s.bytesUp,
        bytesDown: s.bytesDown,
        nextRenewalAt: s.nextRenewalAt === null ? null : iso(s.nextRenewalAt),
        capEndsAt: s.capEndsAt === null ? null : iso(s.capEndsAt),
        link: linkJson(s.link),
      },
      null,
    );
  });
  session.on("warning", (e) => (out.json ? out.event("warning", e, null) : out.warn(e.message)));
  session.on("closed", (e) => {
    const r = e.receipt;
    const unused =
      e.refund !== undefined
        ? ""
        : e.unusedSeconds > 0 || (e.unusedBytes ?? 0) > 0
          ? `; ${unusedWhat(e.unusedSeconds, e.unusedBytes ?? 0)} (${amount(e.unusedAmount)}) is not refunded`
          : "";
    const refund = e.refund ?? null;
    const show = (value: string) => amount(BigInt(value));
    const channel =
      e.refund === undefined ? {} : { channel: e.depositKept ? keptJson(r) : refund ? refundJson(refund, r) : null };
    const refundLine = e.depositKept ? [keptText(r, show)] : refund ? [refundText(refund, r, show)] : [];
    out.event(
      "closed",
      {
        ...{ leaseId: e.leaseId, receipt: r, receiptCheck: e.receiptCheck ?? null },
        ...{
          unusedSeconds: e.unusedSeconds,
          unusedBytes: e.unusedBytes ?? 0,
          unusedAmount: e.unusedAmount,
          ...channel,
        },
      },
      [
        r
          ? `closed lease ${r.leaseId}: ${formatDuration(r.secondsUsed)} used${e.refund !== undefined ? "" : `, ${amount(BigInt(r.totalPaid))} paid`}, ↑${formatBytes(r.bytesUp)} ↓${formatBytes(r.bytesDown)}${unused}`
          : `lease ${e.leaseId ?? "?"} is over; tunnel down`,
        ...refundLine,
        ...(e.receiptCheck ? [describeUsageCheck(e.receiptCheck)] : []),
      ],
    );
  });
}

/** "4m10s of prepaid time and 2.1 MB of prepaid data" */
function unusedWhat(seconds: number, bytes: number): string {
  const parts = [
    ...(seconds > 0 ? [`${formatDuration(seconds)} of prepaid time`] : []),
    ...(bytes > 0 ? [`${formatBytes(bytes)} of prepaid data`] : []),
  ];
  return parts.join(" and ");
}
