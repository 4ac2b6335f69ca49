// kill -9 of the agent or the facilitator while payments are in flight, at a random moment of their
// verify → reserve → settle → grant, again and again. Buyers keep asking with the same signed request until
// the node answers; the restarted process must honour every payment that moved, and only those.
import { DatabaseSync } from "node:sqlite";
import type { Purchase } from "../lib/buyer.ts";
import type { ChaosStack } from "../lib/chaosStack.ts";
import {
  auditScenario,
  buyerFor,
  finishAll,
  fundedAccount,
  randomWgKey,
  type ScenarioResult,
} from "../lib/scenario.ts";

/**
 * When to kill, cycled through the rounds: at a random moment, once a reservation is in the agent's ledger
 * (verified, settling), or once the facilitator's transaction is broadcast (it will settle; the answer is not
 * back yet) — the moment after which a buyer must never be told "nothing was charged".
 */
const MOMENTS = ["random", "reserved", "broadcast"] as const;
type Moment = (typeof MOMENTS)[number];

const automine = (stack: ChaosStack, on: boolean) =>
  stack.publicClient.request({ method: "evm_setAutomine" as never, params: [on] as never });

async function waitFor(moment: Moment, stack: ChaosStack): Promise<void> {
  const deadline = Date.now() + 2_000;
  if (moment === "random") {
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 75)));
    return;
  }
  while (Date.now() < deadline) {
    if (moment === "reserved" && pendingPayments(stack.agentDb) > 0) return;
    if (
      moment === "broadcast" &&
      (await stack.publicClient.getBlock({ blockTag: "pending" })).transactions.length > 0
    ) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function pendingPayments(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((db.prepare("SELECT COUNT(*) AS n FROM payments WHERE status = 'pending'").get() as { n: number }).n);
  } finally {
    db.close();
  }
}

export async function killDuringPayments(
  stack: ChaosStack,
  options: { target: "agent" | "facilitator"; rounds: number },
): Promise<ScenarioResult> {
  const account = await fundedAccount(stack, 10_000_000n);
  const buyer = buyerFor(stack, account);
  const fromBlock = await stack.publicClient.getBlockNumber();
  const purchases: Purchase[] = [];
  const leases: string[] = [];
  const killedAt: Partial<Record<Moment, number>> = {};

  for (let round = 0; round < options.rounds; round++) {
    const batch = await Promise.all([
      ...Array.from({ length: 4 }, () => buyer.sign("create", "/lease", { publicKey: randomWgKey(), minutes: 5 })),
      ...leases.slice(-2).map((id) => buyer.sign("renew", `/lease/${id}/renew`, { minutes: 1 })),
    ]);
    purchases.push(...batch);
    const moment = MOMENTS[round % MOMENTS.length] as Moment;
    // "broadcast": transactions wait in the mempool, the process dies, then they are mined.
    if (moment === "broadcast") await automine(stack, false);
    const inFlight = Promise.all(batch.map((purchase, i) => buyer.send(purchase, 1 + (i % 2))));
    killedAt[moment] = (killedAt[moment] ?? 0) + 1;
    try {
      await waitFor(moment, stack);
      await (options.target === "agent" ? stack.killAgent() : stack.killFacilitator());
    } finally {
      if (moment === "broadcast") {
        await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
        await automine(stack, true);
      }
    }
    await inFlight;
    await (options.target === "agent" ? stack.restartAgent() : stack.restartFacilitator());
    await finishAll(stack, buyer, batch);
    for (const purchase of batch) {
      if (purchase.kind === "create" && purchase.final?.status === 201 && purchase.final.leaseId) {
        leases.push(purchase.final.leaseId);
      }
    }
  }

  const answers = purchases.flatMap((p) => p.answers);
  const unfinished = purchases.filter((p) => !p.final).length;
  const result = await auditScenario(stack, {
    name: `kill -9 ${options.target}`,
    fromBlock,
    payers: [account.address],
    purchases,
    extra: {
      kills: options.rounds,
      killedAt,
      purchases: purchases.length,
      requests: answers.length,
      noAnswer: answers.filter((a) => a.status === "no-answer").length,
      settlementUnknown: answers.filter((a) => a.status === 503 && a.error === "settlement_unknown").length,
      facilitatorUnavailable: answers.filter((a) => a.status === 503 && a.error === "facilitator_unavailable").length,
      refused: purchases.filter((p) => p.final && p.final.status !== "no-answer" && p.final.status >= 400).length,
      unfinished,
    },
  });
  // A buyer left without a final answer is a fault too.
  return { ...result, pass: result.pass && unfinished === 0 };
}
