// kill -9 at the two moments that lost money before: the facilitator between verify and settle (and right
// after its transfer reached the chain), and the agent after the facilitator settled but before the lease
// was granted. Real processes, a real chain; the buyer asks again with the same signed request.
import { DatabaseSync } from "node:sqlite";
import { onChainPayments } from "../chaos/lib/audit.ts";
import type { Purchase } from "../chaos/lib/buyer.ts";
import { type ChaosStack, startChaosStack } from "../chaos/lib/chaosStack.ts";
import { buyerFor, finishAll, fundedAccount, randomWgKey } from "../chaos/lib/scenario.ts";

let stack: ChaosStack;
beforeAll(async () => {
  stack = await startChaosStack();
}, 60_000);
afterAll(() => stack?.stop());

const pending = () => {
  const db = new DatabaseSync(stack.agentDb, { readOnly: true });
  try {
    return Number((db.prepare("SELECT COUNT(*) AS n FROM payments WHERE status = 'pending'").get() as { n: number }).n);
  } finally {
    db.close();
  }
};
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Holds the next transactions in the mempool, so a process can be killed after broadcasting, before mining. */
const automine = (on: boolean) =>
  stack.publicClient.request({ method: "evm_setAutomine" as never, params: [on] as never });
const mine = () => stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
const broadcast = async () => (await stack.publicClient.getBlock({ blockTag: "pending" })).transactions.length > 0;

async function buy(): Promise<{
  purchase: Purchase;
  buyer: ReturnType<typeof buyerFor>;
  payer: `0x${string}`;
  fromBlock: bigint;
}> {
  const account = await fundedAccount(stack, 100_000n);
  const buyer = buyerFor(stack, account);
  const fromBlock = await stack.publicClient.getBlockNumber();
  const purchase = await buyer.sign("create", "/lease", { publicKey: randomWgKey(), minutes: 3 });
  return { purchase, buyer, payer: account.address, fromBlock };
}

describe("kill -9 mid-payment", () => {
  it("the facilitator dies between verify and settle: unknown or unavailable, never 'nothing charged', then the lease", async () => {
    const { purchase, buyer, payer, fromBlock } = await buy();
    const sent = buyer.send(purchase);
    await until(() => pending() > 0);
    await stack.killFacilitator();
    await sent;
    const first = purchase.answers[0];
    expect(first?.status).toBe(503);
    expect(first && "error" in first && first.error).toMatch(/^(settlement_unknown|facilitator_unavailable)$/);
    await stack.restartFacilitator();
    await finishAll(stack, buyer, [purchase]);
    expect(purchase.final).toMatchObject({ status: 201 });
    const moved = await onChainPayments({ ...stack, payers: [payer], fromBlock });
    expect(moved).toHaveLength(1);
    expect(moved[0]?.amount).toBe(3_000n);
  }, 120_000);

  it("the facilitator dies right after its transfer reached the chain: the lease is granted, once", async () => {
    const { purchase, buyer, payer, fromBlock } = await buy();
    await automine(false);
    const sent = buyer.send(purchase);
    try {
      await until(broadcast);
      await stack.killFacilitator();
      await mine();
    } finally {
      await automine(true);
    }
    await sent;
    expect(purchase.answers[0]).toMatchObject({ status: 503, error: "settlement_unknown" });
    // The money moved while the facilitator was dying; the agent must find it on the chain by itself.
    expect(await onChainPayments({ ...stack, payers: [payer], fromBlock })).toHaveLength(1);
    await stack.restartFacilitator();
    await finishAll(stack, buyer, [purchase]);
    expect(purchase.final).toMatchObject({ status: 201 });
    expect(await onChainPayments({ ...stack, payers: [payer], fromBlock })).toHaveLength(1);
  }, 120_000);

  it("the agent dies after the facilitator settled: after restart the same request gets the lease", async () => {
    const { purchase, buyer, payer, fromBlock } = await buy();
    await automine(false);
    const sent = buyer.send(purchase);
    try {
      await until(broadcast);
      await stack.killAgent();
      await mine();
    } finally {
      await automine(true);
    }
    await sent;
    expect(purchase.answers[0]?.status).toBe("no-answer");
    await stack.restartAgent();
    await finishAll(stack, buyer, [purchase]);
    expect(purchase.final).toMatchObject({ status: 201 });
    expect(await onChainPayments({ ...stack, payers: [payer], fromBlock })).toHaveLength(1);
  }, 120_000);
});
