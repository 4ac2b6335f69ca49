// What the channel bench prints, computed from what its runs measured: per-run gas, renewal and money
// summaries, the goals and whether they were met, and the document around them. Kept apart from the runs so
// the orchestration reads as the sequence of measurements, and a number's meaning is changed in one place.
import { cpus, loadavg } from "node:os";
import type { RunningAgent } from "@wg402/agent/testing";
import type { Hex } from "viem";
import { gasByOperation, type MinedTx, totalGas } from "./channelChain.ts";
import { type RequestLog, requestsPerRenewal, type SessionRun } from "./channelSession.ts";
import type { benchVerify } from "./channelVerify.ts";
import { summarize } from "./stats.ts";

export const GOALS = {
  singleChannelGasPerMinute: 5_000,
  amortisedGasPerMinute: 1_000,
  amortisedMinChannelsPerClaim: 10,
  channelRenewalP50Ms: 10,
  channelTxPerRenewal: 0,
  exactRenewalP50MsAbout: 30,
  cooperativeOverchargeSecondsOfPrice: 1,
  crashVouchersLost: 0,
  verifyVouchersPerSecond: 2_000,
};

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Per renewal, the blocks mined while it ran, and of their transactions those it could have caused: another
 * session's deposit, mined while concurrent sessions were starting, is not this renewal's.
 */
export function renewalStats(runs: SessionRun[], logs: RequestLog[], txs: MinedTx[], payers: Hex[]) {
  const all = runs.flatMap((r) => r.renewals);
  const blocks = all.map((r) => r.blocks);
  const attributed = runs.flatMap((r, i) =>
    r.renewals.map(
      (renewal) =>
        txs.filter(
          (t) =>
            t.block > Number(renewal.fromBlock) &&
            t.block <= Number(renewal.toBlock) &&
            !(t.operation === "deposit" && t.payer?.toLowerCase() !== payers[i]?.toLowerCase()),
        ).length,
    ),
  );
  return {
    renewalRoundTripMs: summarize(all.map((r) => r.ms)),
    paidRequestMs: summarize(all.map((r) => r.paidMs)),
    txPerRenewal: {
      mean: round(attributed.reduce((a, b) => a + b, 0) / Math.max(1, attributed.length), 3),
      max: Math.max(...attributed),
      total: attributed.reduce((a, b) => a + b, 0),
      renewals: attributed.length,
      blocksMinedDuringRenewals: blocks.reduce((a, b) => a + b, 0),
      otherSessionsDepositsAmongThem: blocks.reduce((a, b) => a + b, 0) - attributed.reduce((a, b) => a + b, 0),
    },
    // What one LeaseClient.renew() sends (client-side times): the lease's status, the 402, the paid request.
    httpPerRenewal: requestsPerRenewal(runs.map((r, i) => ({ log: logs[i] as RequestLog, renewals: r.renewals }))),
  };
}

/** The agent's own view: mean voucher verification time and mean server time per route (its histograms). */
export async function agentSide(node: RunningAgent) {
  const verify = (await node.agent.metrics.voucherVerifySeconds.get()).values;
  const sum = verify.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
  const count = verify.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
  const http: Record<string, { count: number; meanMs: number }> = {};
  const values = (await node.agent.metrics.httpDuration.get()).values;
  for (const v of values) {
    if (!v.metricName?.endsWith("_count")) continue;
    const key = `${v.labels.method} ${v.labels.route} ${v.labels.status}`;
    const total = values.find(
      (w) =>
        w.metricName?.endsWith("_sum") &&
        w.labels.method === v.labels.method &&
        w.labels.route === v.labels.route &&
        w.labels.status === v.labels.status,
    );
    http[key] = { count: v.value, meanMs: round(((total?.value ?? 0) / Math.max(1, v.value)) * 1000, 2) };
  }
  return { voucherVerify: { count, meanMs: round((sum / Math.max(1, count)) * 1000, 2) }, serverTimeByRoute: http };
}

/** Charged against the seconds used, the used time bounded by the client's clock around create and close. */
export function money(run: SessionRun, charged: bigint, pricePerSecond: number) {
  const usedMinS = (run.closeStart - run.createEnd) / 1000;
  const usedMaxS = (run.closeEnd - run.createStart) / 1000;
  const agentUsedS = (Date.parse(run.receipt.endedAt) - Date.parse(run.receipt.startedAt)) / 1000;
  const over = (s: number) => Number(charged) - s * pricePerSecond;
  return {
    chargedBaseUnits: Number(charged),
    secondsUsedClientMin: round(usedMinS, 3),
    secondsUsedClientMax: round(usedMaxS, 3),
    secondsUsedAgentReceipt: round(agentUsedS, 3),
    pricePerSecondBaseUnits: pricePerSecond,
    // Against the shortest interval the lease can have run: an upper bound of the overcharge.
    overchargeBaseUnits: round(over(usedMinS), 0),
    overchargeSecondsOfPrice: round(over(usedMinS) / pricePerSecond, 3),
    overchargeVsAgentTimeBaseUnits: round(over(agentUsedS), 0),
    overchargeVsLongestIntervalBaseUnits: round(over(usedMaxS), 0),
  };
}

// Hashes listed only for short sessions' worth of transactions; the count always.
export const hashes = (txs: MinedTx[]) =>
  txs.length <= 12 ? { txCount: txs.length, txHashes: txs.map((t) => t.hash) } : { txCount: txs.length };

type Measured = { run: SessionRun; txs: MinedTx[]; payer: { address: Hex; log: RequestLog }; agent: RunningAgent };

/** `exact`: every lease and renewal paid and settled on its own, so the minutes paid are the minutes bought. */
export async function exactSummary(
  m: Measured & { startMinutes: number; renewals: number; pricePerMinute: bigint; pricePerSecond: number },
) {
  const minutes = m.startMinutes + m.renewals;
  const gas = totalGas(m.txs);
  return {
    minutesPaid: minutes,
    minutesUsed: m.renewals,
    totalGas: gas,
    gasPerPaidMinute: round(gas / minutes),
    gasPerSessionMinute: round(gas / m.renewals),
    gasByOperation: gasByOperation(m.txs),
    ...hashes(m.txs),
    ...renewalStats([m.run], [m.payer.log], m.txs, [m.payer.address]),
    agentSide: await agentSide(m.agent),
    money: money(m.run, m.pricePerMinute * BigInt(minutes), m.pricePerSecond),
  };
}

/** One channel: the minutes paid are what the escrow says was claimed from it, `charged`. */
export async function channelSummary(
  m: Measured & {
    charged: bigint;
    settleTx: unknown;
    renewals: number;
    pricePerMinute: bigint;
    pricePerSecond: number;
  },
) {
  const { run } = m;
  const minutes = Number(m.charged) / Number(m.pricePerMinute);
  const gas = totalGas(m.txs);
  return {
    channelId: run.created.payment.channelId as Hex,
    deposit: Number(run.created.payment.deposit ?? 0n),
    minutesCharged: round(minutes, 3),
    totalGas: gas,
    gasPerPaidMinute: round(gas / minutes),
    gasPerSessionMinute: round(gas / m.renewals),
    gasByOperation: gasByOperation(m.txs),
    ...hashes(m.txs),
    settleTx: m.settleTx ?? null,
    ...renewalStats([run], [m.payer.log], m.txs, [m.payer.address]),
    agentSide: await agentSide(m.agent),
    money: {
      ...money(run, m.charged, m.pricePerSecond),
      refundedBaseUnits: Number(run.refund?.refunded ?? 0n),
      refundChargedBaseUnits: Number(run.refund?.charged ?? 0n),
      receiptChargedBaseUnits: Number(run.receipt.channel?.charged ?? 0),
      // From the close call (DELETE /lease) to the refund transaction's receipt, as LeaseClient.close() does it.
      refundDelayMs: round(run.refund?.delayMs ?? Number.NaN),
      closeOnlyMs: round(run.closeEnd - run.closeStart),
    },
  };
}

/**
 * The first deposit after the escrow's token balance was drained to zero pays a fresh storage slot (20,000
 * instead of 2,900 gas); a node with other open channels never sees that. The single session with a warm one.
 */
export function warmDepositDerived(p: {
  batchTxs: MinedTx[];
  channel: Awaited<ReturnType<typeof channelSummary>>;
  pricePerMinute: bigint;
}) {
  const deposits = p.batchTxs
    .filter((t) => t.operation === "deposit")
    .map((t) => t.gasUsed)
    .sort((x, y) => x - y);
  const warmDeposit = deposits[Math.floor(deposits.length / 2)] ?? 0;
  const singleDeposit = p.channel.gasByOperation.deposit?.totalGas ?? 0;
  const singleMinutes = p.channel.money.chargedBaseUnits / Number(p.pricePerMinute);
  return {
    warmDepositGas: warmDeposit,
    singleSessionColdDepositExtraGas: singleDeposit - warmDeposit,
    singleChannelGasPerPaidMinuteWithWarmDeposit: round(
      (p.channel.totalGas - singleDeposit + warmDeposit) / singleMinutes,
    ),
  };
}

type ChannelRun = {
  gasPerPaidMinute: number;
  renewalRoundTripMs: { p50: number };
  txPerRenewal: { total: number };
};

export function goalsMet(p: {
  channel: ChannelRun & { money: { overchargeSecondsOfPrice: number } };
  amortised: ChannelRun & { claimTransactions: number; money: { overchargeSecondsOfPriceMax: number } };
  sessions: number;
  crash: { vouchersLost: number };
  verify: Awaited<ReturnType<typeof benchVerify>>;
}) {
  const { channel, amortised, crash, verify } = p;
  const cachedFast = verify.alternativeNotInProduct.cachedKeyNoble.perSecond;
  return {
    singleChannelGasPerMinute: channel.gasPerPaidMinute <= GOALS.singleChannelGasPerMinute,
    amortisedGasPerMinute: amortised.gasPerPaidMinute <= GOALS.amortisedGasPerMinute,
    amortisedOneClaimOfAllChannels:
      amortised.claimTransactions === 1 && p.sessions >= GOALS.amortisedMinChannelsPerClaim,
    channelRenewalP50Ms: channel.renewalRoundTripMs.p50 <= GOALS.channelRenewalP50Ms,
    channelTxPerRenewal:
      channel.txPerRenewal.total === GOALS.channelTxPerRenewal &&
      amortised.txPerRenewal.total === GOALS.channelTxPerRenewal,
    cooperativeOvercharge:
      channel.money.overchargeSecondsOfPrice <= GOALS.cooperativeOverchargeSecondsOfPrice &&
      amortised.money.overchargeSecondsOfPriceMax <= GOALS.cooperativeOverchargeSecondsOfPrice,
    crashVouchersLost: crash.vouchersLost === GOALS.crashVouchersLost,
    verifyVouchersPerSecond: verify.sdkVerifyTypedData.perSecond >= GOALS.verifyVouchersPerSecond,
    verifyAlternativeVouchersPerSecond: cachedFast >= GOALS.verifyVouchersPerSecond,
  };
}

type Section = "met" | "exact" | "channel" | "amortised" | "derived" | "probes" | "crash" | "verify";

/** The printed document: the run's setup and goals, the measured sections, the machine it ran on. */
export function channelDocument(p: {
  secondsPerMinute: number;
  pricePerMinute: bigint;
  renewals: number;
  startMinutes: number;
  sessionCap: bigint;
  loadAtStart: number[];
  results: Record<Section, unknown>;
}) {
  const { met, exact, channel, amortised, derived, probes, crash, verify } = p.results;
  const cpu = cpus();
  return {
    bench: "channel vs exact: gas, renewal latency, money, crash, voucher verification",
    setup: {
      chain: "hardhat node (local), automine",
      facilitator: "wg402 facilitator (in process, real SDK exact + batch-settlement schemes)",
      agents: "wg402 agents in process (buildAgent, production ticks) with FakeDriver; crash: real agent processes",
      client: "LeaseClient (@wg402/client), scheme exact | channel",
      secondsPerMinute: p.secondsPerMinute,
      pricePerMinuteBaseUnits: Number(p.pricePerMinute),
      renewalsPerSession: p.renewals,
      startMinutes: p.startMinutes,
      renewalCadence: "1 minute bought every minute, 0.1 minute past each whole minute of the session",
      forcedOperations:
        "amortised: settler.claim({force:true}) (the claim tick with its threshold waived) after the closes, then settler.settle(); single: settler.settle() after the cooperative refund",
      sessionCapBaseUnits: Number(p.sessionCap),
    },
    goals: GOALS,
    met,
    exact,
    channel,
    amortised,
    derived,
    probes,
    crash,
    verify,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? null,
      node: process.version,
      loadAverageAtStart: p.loadAtStart.map((v) => round(v, 2)),
      loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
    },
  };
}
