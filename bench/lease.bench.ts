// Paid lease creation (402 → sign → pay → 201) against a real agent process (FakeDriver) and a real
// facilitator process on the local chain: p50/p99 over sequential leases and throughput at concurrency 16.
// The client side is the official @x402/fetch wrapper; its signing time is part of what is measured.
// Run: npm run bench:lease
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgentProcess } from "@wg402/agent";
import { x402PayerFor } from "@wg402/agent/testing";
import { startLocalChain } from "@wg402/contracts";
import { startFacilitatorProcess } from "@wg402/facilitator";
import { chains } from "@wg402/shared";
import { wrapFetchWithPayment } from "@x402/fetch";
import { createPublicClient, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { runConcurrent, summarize } from "./lib/stats.ts";

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 100);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 160);

const chain = await startLocalChain();
const dir = await mkdtemp(join(tmpdir(), "wg402-bench-lease-"));
const facilitator = await startFacilitatorProcess(
  {
    FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
    FACILITATOR_DB_PATH: join(dir, "f.sqlite"),
    FACILITATOR_PORT: "0",
    WG402_RPC_URL_LOCAL: chain.rpcUrl,
    // The agent is the facilitator's one client here, at well over the per-address default of 100 a second.
    FACILITATOR_RATE_LIMIT_PER_MINUTE: "0",
    LOG_LEVEL: "warn",
  },
  { onOutput: (line) => console.error(`[facilitator] ${line}`) },
);
const agent = await startAgentProcess({
  AGENT_PORT: "0",
  AGENT_DB_PATH: join(dir, "a.sqlite"),
  AGENT_WG_MODE: "fake",
  AGENT_PAY_TO: chain.stack.accounts.operator.address,
  AGENT_TOKEN_ADDRESS: chain.stack.token.address,
  AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
  AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
  AGENT_FACILITATOR_URL: facilitator.url,
  AGENT_RPC_URL: chain.rpcUrl,
  LOG_LEVEL: "warn",
});

const publicClient = createPublicClient({ chain: chains.local.viem, transport: http(chain.rpcUrl) });
const paidFetch = wrapFetchWithPayment(
  fetch,
  x402PayerFor(
    privateKeyToAccount(chain.stack.accounts.demo.privateKey as Hex),
    publicClient as PublicClient,
    chain.stack.token.address as Hex,
  ),
);

async function buy(): Promise<void> {
  const response = await paidFetch(`${agent.url}/lease`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ publicKey: randomBytes(32).toString("base64"), minutes: 1 }),
  });
  if (response.status !== 201) throw new Error(`lease failed: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

try {
  await buy(); // warm-up
  const sequential = await runConcurrent(Array.from({ length: SEQUENTIAL }), 1, buy);
  const concurrent = await runConcurrent(Array.from({ length: CONCURRENT }), 16, buy);
  console.log(
    JSON.stringify(
      {
        bench: "paid lease creation (402 → pay → 201)",
        driver: "fake",
        sequential: { ...summarize(sequential.latencies), throughputPerSec: sequential.throughputPerSec },
        concurrency16: { ...summarize(concurrent.latencies), throughputPerSec: concurrent.throughputPerSec },
        targets: { p50Ms: 60 },
      },
      null,
      2,
    ),
  );
} finally {
  await agent.stop();
  await facilitator.stop();
  await chain.stop();
  if (!process.env.BENCH_KEEP) await rm(dir, { recursive: true, force: true });
  else console.error(`kept ${dir}`);
}
