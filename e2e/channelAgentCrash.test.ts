// kill -9 of a real agent process between accepting vouchers and claiming them: the restarted agent has every
// voucher it accepted (the ledger committed each before its time was granted) and its claim lands on-chain.
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import {
  type AgentHarness,
  channelAgentProcessEnv,
  channelPayer,
  PRICE,
  postJson,
  read,
  startAgentHarness,
} from "@wg402/agent/testing";
import { CreateLeaseResponse, canonicalEscrowAddresses, x402BatchSettlementAbi } from "@wg402/shared";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";

let h: AgentHarness;
let agent: AgentProcess | undefined;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});
afterAll(() => h?.close());

const sigkill = async (process: AgentProcess) => {
  const exited = new Promise((resolve) => process.child.once("exit", resolve));
  process.child.kill("SIGKILL");
  await exited;
};

/** The channel rows as the dead agent left them on disk. */
function channelsOnDisk(dbPath: string) {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare("SELECT channel_id, charged_cumulative, signed_max_claimable FROM channels").all() as {
      channel_id: string;
      charged_cumulative: string;
      signed_max_claimable: string;
    }[];
  } finally {
    db.close();
  }
}

const claimedOnChain = async (channelId: string) => {
  const [, totalClaimed] = await h.publicClient.readContract({
    address: canonicalEscrowAddresses.batchSettlement as Hex,
    abi: x402BatchSettlementAbi,
    functionName: "channels",
    args: [channelId as Hex],
  });
  return totalClaimed;
};

const authorizerKey = generatePrivateKey();
const agentEnv = (dbPath: string, claimSeconds: string) =>
  channelAgentProcessEnv(h, {
    dbPath,
    authorizerKey,
    extra: { AGENT_CHANNEL_CLAIM_THRESHOLD: "1", AGENT_CHANNEL_CLAIM_INTERVAL_SECONDS: claimSeconds },
  });

it("claims every voucher accepted before a kill -9, after the restart", async () => {
  const dbPath = join(h.dir, "crash-agent.sqlite");
  const env = (claimSeconds: string) => agentEnv(dbPath, claimSeconds);
  agent = await startAgentProcess(env("3600"));
  const payer = await channelPayer(h);
  const created = await postJson(payer.fetch, `${agent.url}/lease`, { publicKey: h.randomKey(), minutes: 5 });
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const renewed = await postJson(payer.fetch, `${agent.url}/lease/${lease.id}/renew`, { minutes: 1 });
    expect(renewed.status).toBe(200);
  }
  // Killed at once after the last answer: nothing was claimed yet.
  await sigkill(agent);
  agent = undefined;
  const [row] = channelsOnDisk(dbPath);
  const charged = BigInt(row?.charged_cumulative ?? "0");
  expect(charged).toBeGreaterThan(0n);
  // Three renewals of one 2 s minute each: the ceiling ran 3 minutes ahead of the 5 bought.
  expect(row?.signed_max_claimable).toBe(String(8n * PRICE));
  expect(await claimedOnChain(row?.channel_id as string)).toBe(0n);

  agent = await startAgentProcess(env("1"));
  const started = Date.now();
  // At least what was charged before the kill; later, the lease's final seconds may be claimed too.
  while ((await claimedOnChain(row?.channel_id as string)) < charged) {
    if (Date.now() - started > 15_000) throw new Error("the restarted agent did not claim the accepted vouchers");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(await claimedOnChain(row?.channel_id as string)).toBeLessThanOrEqual(8n * PRICE);
});

/** What the ledger must say after any crash: no charge above its voucher, no lease time above its ceiling. */
function expectCoveredLedger(dbPath: string) {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const channels = db.prepare("SELECT * FROM channels").all() as Record<string, string>[];
    for (const c of channels) {
      expect(BigInt(c.charged_cumulative as string)).toBeLessThanOrEqual(BigInt(c.signed_max_claimable as string));
      const leases = db
        .prepare("SELECT * FROM leases WHERE channel_id = ? AND state = 'active'")
        .all(c.channel_id as string) as Record<string, number | string>[];
      for (const lease of leases) {
        const granted = Number(lease.expires_at) - Number(lease.channel_t0);
        // 2 s minutes: PRICE per 2,000 ms, rounded up.
        const owed = BigInt(lease.channel_c0 as string) + (BigInt(granted) * PRICE + 1_999n) / 2_000n;
        expect(owed).toBeLessThanOrEqual(BigInt(c.signed_max_claimable as string));
      }
    }
    return channels.length;
  } finally {
    db.close();
  }
}

it("after a kill -9 in the middle of renewals, no charge and no granted second exceeds what was signed", async () => {
  const dbPath = join(h.dir, "crash-agent-2.sqlite");
  agent = await startAgentProcess(agentEnv(dbPath, "3600"));
  const payer = await channelPayer(h);
  const created = await postJson(payer.fetch, `${agent.url}/lease`, { publicKey: h.randomKey(), minutes: 30 });
  expect(created.status).toBe(201);
  const { lease } = await read(CreateLeaseResponse, created);
  for (const delayMs of [0, 3, 8, 15, 30]) {
    const url = agent.url;
    const inFlight = postJson(payer.fetch, `${url}/lease/${lease.id}/renew`, { minutes: 1 }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await sigkill(agent);
    await inFlight;
    expect(expectCoveredLedger(dbPath)).toBe(1);
    agent = await startAgentProcess(agentEnv(dbPath, "3600"));
  }
  // The restarted agent still sells time on the channel (the client resyncs from the node's corrective 402).
  const renewed = await postJson(payer.fetch, `${agent.url}/lease/${lease.id}/renew`, { minutes: 1 });
  expect(renewed.status).toBe(200);
  expect(expectCoveredLedger(dbPath)).toBe(1);
});
