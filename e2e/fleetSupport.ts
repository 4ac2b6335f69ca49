// What the fleet tests share: a fleet of real agent processes of one operator (one payTo, one receiver
// authorizer) on one real redis-server, and the escrow's and the fleet's view of a channel.
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { type AgentHarness, channelAgentProcessEnv } from "@wg402/agent/testing";
import { canonicalEscrowAddresses, x402BatchSettlementAbi } from "@wg402/shared";
import { createClient } from "redis";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { type RedisServer, startRedisServer } from "../agent/src/fleet/testing/redisServer.ts";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${String(value)}`);
    await sleep(150);
  }
}

export type FleetNode = { name: string; env: Record<string, string>; process?: AgentProcess; url: string };

/** A Redis and the env of `names.length` nodes of one operator on it (distinct node keys and ledgers). */
export async function startFleet(h: AgentHarness, names: string[], extra: Record<string, string> = {}) {
  const redis: RedisServer = await startRedisServer();
  const authorizerKey = generatePrivateKey(); // one operator: one receiver authorizer, so one channel per payer
  const nodes = names.map((name, i): FleetNode => {
    const env = channelAgentProcessEnv(h, {
      dbPath: `${h.dir}/fleet-${name}.sqlite`,
      authorizerKey,
      extra: {
        AGENT_CHANNEL_STORE: "redis",
        AGENT_REDIS_URL: redis.url,
        AGENT_WG_SUBNET: `10.79.${i}.0/24`,
        ...extra,
      },
    });
    return { name, env, url: "" };
  });
  const start = async (node: FleetNode) => {
    node.process = await startAgentProcess(node.env);
    node.url = node.process.url;
    return node;
  };
  const stop = async (node: FleetNode) => {
    await node.process?.stop();
    node.process = undefined;
  };
  /** kill -9, waiting for the exit. */
  const sigkill = async (node: FleetNode) => {
    const child = node.process?.child;
    node.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  // A plain client to look at what the fleet stored (the test's eyes, not the agents' code path).
  const inspector = createClient({ socket: { path: redis.socket, tls: false } });
  inspector.on("error", () => {}); // the Redis-down test kills the server under it
  await inspector.connect();
  const prefix = `wg402:31337:${h.chain.stack.accounts.operator.address.toLowerCase()}`;
  /** The channel record as the fleet has it. */
  const stored = async (channelId: string) => {
    const raw = await inspector.get(`${prefix}:server:channel:${channelId.toLowerCase()}`);
    return raw ? (JSON.parse(raw) as { chargedCumulativeAmount: string; signedMaxClaimable: string }) : undefined;
  };
  const holder = (channelId: string) => inspector.get(`${prefix}:fleet:hold:${channelId.toLowerCase()}`);
  return {
    redis,
    nodes,
    start,
    stop,
    sigkill,
    stored,
    holder,
    async close() {
      for (const node of nodes) await stop(node);
      await inspector.close();
      await redis.close();
    },
  };
}

/** The escrow's record of a channel: its deposit and what was claimed of it. */
export async function escrowChannel(h: AgentHarness, channelId: string) {
  const [balance, totalClaimed] = await h.publicClient.readContract({
    address: canonicalEscrowAddresses.batchSettlement as Hex,
    abi: x402BatchSettlementAbi,
    functionName: "channels",
    args: [channelId as Hex],
  });
  return { balance, totalClaimed };
}

/** A counter of a node's /metrics, summed over its labels matching `labels` (e.g. `operation="claim"`). */
export async function metric(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}
