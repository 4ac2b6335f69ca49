// `npm run test:chaos [-- --short]`: the reliability suite. Attacks a real stack (hardhat node, facilitator
// and agent processes) with duplicate payments, kill -9 of each process mid-payment and junk; after each
// scenario it audits the chain against the agent's ledger and prints one JSON line. Exits 1 if any scenario
// found money lost, time given away, an address shared, a 5xx or a dead process.
import { startChaosStack } from "./lib/chaosStack.ts";
import type { ScenarioResult } from "./lib/scenario.ts";
import { duplicates } from "./scenarios/duplicates.ts";
import { fuzz } from "./scenarios/fuzz.ts";
import { killDuringPayments } from "./scenarios/killProcess.ts";

const short = process.argv.includes("--short");
const sizes = short
  ? { agentKills: 8, facilitatorKills: 4, fuzzRequests: 2_000 }
  : { agentKills: 20, facilitatorKills: 10, fuzzRequests: 2_000 };

const stack = await startChaosStack();
const results: ScenarioResult[] = [];
const started = Date.now();
try {
  for (const run of [
    () => duplicates(stack, { short }),
    () => killDuringPayments(stack, { target: "agent", rounds: sizes.agentKills }),
    () => killDuringPayments(stack, { target: "facilitator", rounds: sizes.facilitatorKills }),
    () => fuzz(stack, { requests: sizes.fuzzRequests }),
  ]) {
    const began = Date.now();
    const result = await run();
    results.push(result);
    console.log(JSON.stringify({ ...result, seconds: Math.round((Date.now() - began) / 100) / 10 }));
  }
} finally {
  await stack.stop();
}

const total = (key: keyof ScenarioResult) => results.reduce((sum, r) => sum + Number(r[key] ?? 0), 0);
const summary = {
  scenario: "total",
  pass: results.every((r) => r.pass),
  paidWithoutLease: total("paidWithoutLease"),
  freeMinutes: total("freeMinutes"),
  "5xx": total("5xx"),
  transfers: total("transfers"),
  granted: total("granted"),
  seconds: Math.round((Date.now() - started) / 1000),
  form: short ? "short" : "full",
};
console.log(JSON.stringify(summary));
process.exit(summary.pass ? 0 : 1);
