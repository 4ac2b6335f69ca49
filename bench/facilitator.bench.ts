// Facilitator benchmark on the embedded local chain: /verify throughput and latency at concurrency 1 and 32,
// /settle latency (sequential) and throughput (concurrency 8), over real HTTP on loopback. Prints JSON.
// Run: npm run bench:facilitator
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalChain } from "@wg402/contracts";
import { startFacilitatorProcess } from "@wg402/facilitator";
import { chains } from "@wg402/shared";
import { x402Client } from "@x402/core/client";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { createPublicClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { runConcurrent, summarize } from "./lib/stats.ts";

const VERIFY_N = Number(process.env.BENCH_VERIFY_N ?? 2000);
const SETTLE_N = Number(process.env.BENCH_SETTLE_N ?? 200);

const chain = await startLocalChain();
const dir = await mkdtemp(join(tmpdir(), "wg402-bench-"));
// The facilitator runs as its own process, as an operator runs it; this process only generates load.
const facilitator = await startFacilitatorProcess({
  FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
  FACILITATOR_DB_PATH: join(dir, "f.sqlite"),
  FACILITATOR_PORT: "0",
  WG402_RPC_URL_LOCAL: chain.rpcUrl,
  // The bench is one loopback client at hundreds of requests a second: the per-address limit would throttle it.
  FACILITATOR_RATE_LIMIT_PER_MINUTE: "0",
  LOG_LEVEL: "warn",
  ...(process.env.BENCH_PROFILE ? { NODE_OPTIONS: "--cpu-prof --cpu-prof-dir=/tmp/prof" } : {}),
});
const base = facilitator.url;

const publicClient = createPublicClient({ chain: chains.local.viem, transport: http(chain.rpcUrl) });
const account = privateKeyToAccount(chain.stack.accounts.demo.privateKey as Hex);
const requirements: PaymentRequirements = {
  scheme: "exact",
  network: "eip155:31337",
  asset: chain.stack.token.address,
  amount: "1000",
  payTo: chain.stack.accounts.operator.address,
  maxTimeoutSeconds: 600,
  extra: chain.stack.token.eip712,
};
const client = new x402Client()
  .register("eip155:31337", new ExactEvmScheme(toClientEvmSigner(account, publicClient)))
  .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset: chain.stack.token.address }] });
const pay = () =>
  client.createPaymentPayload({
    x402Version: 2,
    resource: { url: "http://127.0.0.1/lease", description: "bench", mimeType: "application/json" },
    accepts: [requirements],
  });

async function call(path: "verify" | "settle", paymentPayload: PaymentPayload, expectKey: "isValid" | "success") {
  const response = await fetch(`${base}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (body[expectKey] !== true) throw new Error(`${path} failed: ${JSON.stringify(body)}`);
}

try {
  const verifyPayment = await pay();
  await call("verify", verifyPayment, "isValid"); // warm-up
  const verify1 = await runConcurrent(Array.from({ length: Math.min(500, VERIFY_N) }), 1, () =>
    call("verify", verifyPayment, "isValid"),
  );
  const verify32 = await runConcurrent(Array.from({ length: VERIFY_N }), 32, () =>
    call("verify", verifyPayment, "isValid"),
  );

  const payments = await Promise.all(Array.from({ length: SETTLE_N * 2 }, pay));
  const settleSeq = await runConcurrent(payments.slice(0, SETTLE_N), 1, (p) => call("settle", p, "success"));
  const settle8 = await runConcurrent(payments.slice(SETTLE_N), 8, (p) => call("settle", p, "success"));

  console.log(
    JSON.stringify(
      {
        bench: "facilitator",
        chain: "hardhat node (automine), loopback HTTP",
        verify: {
          concurrency1: { ...summarize(verify1.latencies), throughputPerSec: verify1.throughputPerSec },
          concurrency32: { ...summarize(verify32.latencies), throughputPerSec: verify32.throughputPerSec },
        },
        settle: {
          sequential: { ...summarize(settleSeq.latencies), throughputPerSec: settleSeq.throughputPerSec },
          concurrency8: { ...summarize(settle8.latencies), throughputPerSec: settle8.throughputPerSec },
        },
        targets: { verifyPerSecAtConcurrency32: 500, settleP50Ms: 30 },
      },
      null,
      2,
    ),
  );
} finally {
  await facilitator.stop();
  await chain.stop();
  await rm(dir, { recursive: true, force: true });
}
