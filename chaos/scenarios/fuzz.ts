// Junk at both services: random paths, methods, media types and bodies, and real payments with one field
// mangled. Nothing may answer 5xx, crash, write ledger rows for junk, or move money for nothing.
import { DatabaseSync } from "node:sqlite";
import { decodePaymentSignatureHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import { onChainPayments } from "../lib/audit.ts";
import { type Answer, isDefect, type Purchase } from "../lib/buyer.ts";
import type { ChaosStack } from "../lib/chaosStack.ts";
import {
  auditScenario,
  buyerFor,
  finishAll,
  fundedAccount,
  randomWgKey,
  type ScenarioResult,
} from "../lib/scenario.ts";

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const junkValues: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  "",
  "abc",
  "1e3",
  "0x",
  "-5",
  `0x${"f".repeat(64)}`,
  "9".repeat(90),
  [],
  {},
  [1, 2],
  { a: 1 },
  "\u0000",
  "💥".repeat(100),
  "x".repeat(5000),
];

/** A copy of `value` with one leaf somewhere replaced by junk, or removed. */
function mangle(value: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
    }
    paths.push(path);
  };
  walk(copy, []);
  const path = pick(paths.filter((p) => p.length > 0));
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key as string] as Record<string, unknown>;
  const leaf = path.at(-1) as string;
  if (Math.random() < 0.2) delete parent[leaf];
  else parent[leaf] = pick(junkValues);
  return copy;
}

const agentPaths = [
  "/",
  "/lease",
  "//lease",
  "/%6cease",
  "/lease//",
  "/lease%2f",
  "/lease/x",
  "/lease/lease_00000000000000000000000000000000",
  "/lease/lease_00000000000000000000000000000000/renew",
  "/lease/lease_00000000000000000000000000000000//renew",
  "/lease/%2e%2e",
  "/healthz",
  "/readyz",
  "/metrics",
  "/nope",
  "/lease/../lease",
];
const facilitatorPaths = ["/verify", "/settle", "/supported", "//settle", "/settle/", "/%73ettle", "/healthz", "/nope"];
const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const contentTypes = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
];

async function send(url: string, init: RequestInit): Promise<Answer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let error: string | undefined;
    try {
      error = (JSON.parse(text) as { error?: string }).error;
    } catch {
      error = undefined;
    }
    return { status: response.status, error };
  } catch (error) {
    return { status: "no-answer", reason: (error as Error).message };
  }
}

function randomBody(valid: unknown): string | undefined {
  switch (Math.floor(Math.random() * 5)) {
    case 0:
      return undefined;
    case 1:
      return JSON.stringify(pick(junkValues));
    case 2:
      return '{"publicKey":'; // truncated JSON
    case 3:
      return "x".repeat(Math.floor(Math.random() * 100_000));
    default:
      return JSON.stringify(mangle(valid));
  }
}

function facilitatorRows(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((db.prepare("SELECT COUNT(*) AS n FROM settlements").get() as { n: number }).n);
  } finally {
    db.close();
  }
}

export async function fuzz(stack: ChaosStack, options: { requests: number }): Promise<ScenarioResult> {
  const account = await fundedAccount(stack, 10_000_000n);
  const buyer = buyerFor(stack, account);
  const fromBlock = await stack.publicClient.getBlockNumber();
  // Real signed payments to mangle; each is also sent intact at the end, so the audit sees real sales too.
  const seeds: Purchase[] = await Promise.all(
    Array.from({ length: 8 }, () => buyer.sign("create", "/lease", { publicKey: randomWgKey(), minutes: 1 })),
  );
  // The facilitator is fuzzed with another payer's payments: a mangled one that is still valid may really
  // settle there, which is a direct sale of the facilitator's, not the agent's.
  const direct = await fundedAccount(stack, 10_000_000n);
  const directSeeds = await Promise.all(
    Array.from({ length: 8 }, () =>
      buyerFor(stack, direct).sign("create", "/lease", { publicKey: randomWgKey(), minutes: 1 }),
    ),
  );
  const answers = { agent: [] as Answer[], facilitator: [] as Answer[] };
  const rowsBefore = facilitatorRows(stack.facilitatorDb);

  for (let i = 0; i < options.requests; i++) {
    const seed = pick(seeds);
    const payload = decodePaymentSignatureHeader(seed.header);
    const headers: Record<string, string> = {};
    const type = pick(contentTypes);
    if (type) headers["content-type"] = type;
    if (Math.random() < 0.6) {
      headers["payment-signature"] =
        Math.random() < 0.2
          ? pick(["%%%", "", "e30=", Buffer.from("[]").toString("base64")])
          : encodePaymentSignatureHeader(mangle(payload) as never);
    }
    if (Math.random() < 0.1) headers["wg402-lease-auth"] = pick(["1.0x", "abc", `${Date.now()}.0x${"ab".repeat(65)}`]);
    const method = Math.random() < 0.7 ? "POST" : pick(methods);
    const agentAnswer = await send(`${stack.agentUrl}${pick(agentPaths)}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : randomBody(seed.body),
    });
    answers.agent.push(agentAnswer);

    const directPayload = decodePaymentSignatureHeader(pick(directSeeds).header);
    const envelope = { x402Version: 2, paymentPayload: directPayload, paymentRequirements: directPayload.accepted };
    const facilitatorMethod = Math.random() < 0.8 ? "POST" : pick(methods);
    const path = pick(facilitatorPaths);
    const answer = await send(`${stack.facilitatorUrl}${path}`, {
      method: facilitatorMethod,
      headers: type ? { "content-type": type } : {},
      body: facilitatorMethod === "GET" || facilitatorMethod === "HEAD" ? undefined : randomBody(envelope),
    });
    answers.facilitator.push(answer);
  }
  // A facilitator row is written only for a payment that verified and is being sent: one per transfer.
  const rowsWritten = facilitatorRows(stack.facilitatorDb) - rowsBefore;
  const moved = await onChainPayments({ ...stack, payers: [account.address, direct.address], fromBlock });
  const junkRows = rowsWritten - moved.length;

  // The seeds, intact: real purchases after the storm, every one must be sold exactly once.
  await Promise.all(seeds.map((purchase) => buyer.send(purchase)));
  await finishAll(stack, buyer, seeds);

  const defects = (list: Answer[]) => list.filter(isDefect).length;
  const result = await auditScenario(stack, {
    name: "fuzz",
    fromBlock,
    payers: [account.address],
    purchases: seeds,
    extra: {
      requests: { agent: answers.agent.length, facilitator: answers.facilitator.length },
      fuzz5xx: { agent: defects(answers.agent), facilitator: defects(answers.facilitator) },
      noAnswer: [...answers.agent, ...answers.facilitator].filter((a) => a.status === "no-answer").length,
      facilitatorRowsForJunk: junkRows,
      mangledButValidSettled: moved.length,
    },
  });
  const fuzz5xx = defects(answers.agent) + defects(answers.facilitator);
  return { ...result, "5xx": (result["5xx"] ?? 0) + fuzz5xx, pass: result.pass && fuzz5xx === 0 && junkRows === 0 };
}
