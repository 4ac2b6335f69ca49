// Copies of one payment in flight: every purchase sent several times at once (some twenty times), renewals
// twice at once, and single renewal signatures sent to two leases at once.
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

export async function duplicates(stack: ChaosStack, options: { short: boolean }): Promise<ScenarioResult> {
  const creates = options.short ? 12 : 30;
  const account = await fundedAccount(stack, 10_000_000n);
  const buyer = buyerFor(stack, account);
  const fromBlock = await stack.publicClient.getBlockNumber();
  const purchases: Purchase[] = [];

  const created = await Promise.all(
    Array.from({ length: creates }, () => buyer.sign("create", "/lease", { publicKey: randomWgKey(), minutes: 5 })),
  );
  purchases.push(...created);
  await Promise.all(created.map((purchase, i) => buyer.send(purchase, i % 10 === 0 ? 20 : 2 + (i % 2))));

  const leaseIds = created.map((p) => p.final?.status === 201 && p.final.leaseId).filter((id): id is string => !!id);
  const renewing = leaseIds.slice(0, Math.floor(leaseIds.length / 3));
  const renewals = await Promise.all(renewing.map((id) => buyer.sign("renew", `/lease/${id}/renew`, { minutes: 2 })));
  purchases.push(...renewals);
  await Promise.all(renewals.map((purchase) => buyer.send(purchase, 2)));

  // One signature, two leases, at once: exactly one may be extended.
  const rest = leaseIds.slice(renewing.length);
  const pairs = Math.floor(rest.length / 2);
  const split = await Promise.all(
    rest.slice(0, pairs).map((id) => buyer.sign("renew", `/lease/${id}/renew`, { minutes: 1 })),
  );
  const other = rest.slice(pairs, 2 * pairs);
  let splitViolations = 0;
  await Promise.all(
    split.map(async (purchase, i) => {
      const twin: Purchase = { ...purchase, path: `/lease/${other[i]}/renew`, answers: [], final: undefined };
      await Promise.all([buyer.send(purchase), buyer.send(twin)]);
      const statuses = [purchase.final?.status, twin.final?.status].sort();
      const refused = [purchase, twin].find((x) => x.final?.status === 409);
      if (
        statuses[0] !== 200 ||
        statuses[1] !== 409 ||
        refused?.final?.status !== 409 ||
        refused.final.error !== "payment_replayed"
      ) {
        splitViolations++;
      }
      // The one that was granted is the purchase the audit holds to its payment.
      purchases.push(purchase.final?.status === 200 ? purchase : twin);
    }),
  );

  await finishAll(stack, buyer, purchases);
  const answers = purchases.flatMap((p) => p.answers);
  const result = await auditScenario(stack, {
    name: "duplicates",
    fromBlock,
    payers: [account.address],
    purchases,
    extra: { requests: answers.length, purchases: purchases.length, splitPairs: pairs, splitViolations },
  });
  return { ...result, pass: result.pass && splitViolations === 0 };
}
