// The channel bench's amortised case: many channel sessions at once on one agent, their charges claimed in one
// forced batch. Only shared claims and settles can bring a channel's gas per minute near the amortised goal, so
// this case is measured, and its gas broken down, apart from the single channel.
import type { RunningAgent } from "@wg402/agent/testing";
import type { LeaseClient } from "@wg402/client";
import type { Hex, PublicClient } from "viem";
import { channelOnChain, gasByOperation, minedBetween, totalGas } from "./channelChain.ts";
import { agentSide, GOALS, hashes, money, renewalStats, round } from "./channelReport.ts";
import { type RequestLog, refundNow, type SessionRun } from "./channelSession.ts";

export type Payer = { client: LeaseClient; address: Hex; log: RequestLog };

/**
 * One session per payer on `agent`, started spread over a minute; after their closes, one forced claim pass of
 * the agent's settler (its claim tick with the threshold waived), one settle, then each payer's refund.
 */
export async function benchAmortised(p: {
  publicClient: PublicClient;
  token: Hex;
  agent: RunningAgent;
  payers: Payer[];
  minuteMs: number;
  pricePerMinute: bigint;
  pricePerSecond: number;
  session: (client: LeaseClient) => Promise<SessionRun>;
}) {
  const { publicClient, payers } = p;
  const sessions = payers.length;
  const block = () => publicClient.getBlockNumber({ cacheTime: 0 });
  const batchFrom = await block();
  const batchRuns = await Promise.all(
    payers.map(async (payer, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * p.minuteMs) / sessions)); // spread over the minute
      return p.session(payer.client);
    }),
  );
  const settler = p.agent.agent.settler;
  if (!settler) throw new Error("the channel agent has no settler");
  const claimFrom = await block();
  const vouchersClaimed = await settler.claim({ force: true });
  const claimTo = await block();
  const batchSettle = await settler.settle();
  const batchCharged = await Promise.all(
    batchRuns.map(async (r) => (await channelOnChain(publicClient, r.created.payment.channelId as Hex)).totalClaimed),
  );
  const batchRefunds = [];
  for (const [i, payer] of payers.entries()) {
    batchRefunds.push(await refundNow(payer.client, publicClient, (batchRuns[i] as SessionRun).closeStart));
  }
  const batchTxs = await minedBetween(publicClient, batchFrom, await block(), p.token);
  const claimTxs = batchTxs.filter((t) => t.block > claimFrom && t.block <= claimTo);
  const batchGas = totalGas(batchTxs);
  const batchMinutes = batchCharged.reduce((a, b) => a + Number(b), 0) / Number(p.pricePerMinute);
  const byOp = gasByOperation(batchTxs);
  const avgOf = (match: (op: string) => boolean) => {
    const ops = Object.entries(byOp).filter(([op]) => match(op));
    const count = ops.reduce((a, [, o]) => a + o.count, 0);
    return ops.reduce((a, [, o]) => a + o.totalGas, 0) / Math.max(1, count);
  };
  const claimGas = totalGas(claimTxs);
  const settleGas = byOp.settle?.totalGas ?? 0;
  const overcharges = batchRuns.map((r, i) => money(r, batchCharged[i] as bigint, p.pricePerSecond));
  const amortised = {
    sessions,
    claimTransactions: claimTxs.length,
    channelsPerClaim: claimTxs.length ? round(sessions / claimTxs.length) : null,
    vouchersClaimed,
    minutesCharged: round(batchMinutes, 3),
    totalGas: batchGas,
    gasPerPaidMinute: round(batchGas / batchMinutes),
    perSession: {
      depositGas: round(
        avgOf((op) => op === "deposit"),
        0,
      ),
      claimShareGas: round(claimGas / sessions, 0),
      settleShareGas: round(settleGas / sessions, 0),
      // The SDK's cooperative refund always sends claimWithSignature+refundWithSignature in one multicall, even
      // for a channel whose charge was already claimed (handleEnrichSettlementPayload adds the claim entry).
      refundGas: round(
        avgOf((op) => op.includes("refundWithSignature")),
        0,
      ),
      minutesCharged: round(batchMinutes / sessions, 3),
    },
    // Where the goal is lost: each session's own deposit and refund, spread over its minutes.
    gasPerMinuteBreakdown: {
      deposit: round(avgOf((op) => op === "deposit") / (batchMinutes / sessions)),
      claimShare: round(claimGas / batchMinutes),
      settleShare: round(settleGas / batchMinutes),
      refund: round(avgOf((op) => op.includes("refundWithSignature")) / (batchMinutes / sessions)),
    },
    // A channel reused across sessions (the client reuses its channel on a reconnect): no deposit or refund per
    // session, only the shares of the batched claim and the settle.
    gasPerPaidMinuteClaimAndSettleOnly: round((claimGas + settleGas) / batchMinutes),
    // How long a session with its own deposit and refund must run to reach the amortised goal.
    sessionMinutesForGoal: round(
      (avgOf((op) => op === "deposit") +
        avgOf((op) => op.includes("refundWithSignature")) +
        (claimGas + settleGas) / sessions) /
        GOALS.amortisedGasPerMinute,
    ),
    gasByOperation: byOp,
    ...hashes(batchTxs),
    claimTxs: claimTxs.map((t) => ({ hash: t.hash, operation: t.operation, gasUsed: t.gasUsed })),
    settleTx: batchSettle ?? null,
    ...renewalStats(
      batchRuns,
      payers.map((payer) => payer.log),
      batchTxs,
      payers.map((payer) => payer.address),
    ),
    agentSide: await agentSide(p.agent),
    money: {
      overchargeSecondsOfPriceMax: Math.max(...overcharges.map((o) => o.overchargeSecondsOfPrice)),
      overchargeSecondsOfPriceMean: round(
        overcharges.reduce((a, o) => a + o.overchargeSecondsOfPrice, 0) / overcharges.length,
        3,
      ),
      overchargeBaseUnitsMax: Math.max(...overcharges.map((o) => o.overchargeBaseUnits)),
      refundedBaseUnits: batchRefunds.map((r) => Number(r.refunded)),
      // Close call to refund receipt here includes waiting for the others' closes, the claim and the settle.
      refundDelayMsMax: round(Math.max(...batchRefunds.map((r) => r.delayMs))),
      overchargeBaseUnitsPerSession: overcharges.map((o) => o.overchargeBaseUnits),
    },
  };
  // The mined transactions too: the warm deposit the single session is compared with is taken from them.
  return { amortised, txs: batchTxs };
}
