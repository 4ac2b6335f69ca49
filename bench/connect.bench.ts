// Connect time — from `LeaseClient.connect` (node info) through payment, lease, tunnel up, to the first ping
// answered through the tunnel — and the renewal round trip, with the client SDK's userspace driver in one
// network namespace and a real agent (wireguard-go) in another, on the local chain. Needs root. Prints JSON.
// Run: npm run bench:connect
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgentProcess } from "@wg402/agent";
import { LeaseClient, UserspaceDriver, VpnSession } from "@wg402/client";
import { writeLocalStack } from "@wg402/shared";
import { generateKeyPair } from "@wg402/wireguard";
import { createNetnsPair, execIn, uniqueName, userspaceSkipReason } from "@wg402/wireguard/testing";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startPaidStack } from "../e2e/support.ts";
import { summarize } from "./lib/stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const skip = await userspaceSkipReason({ needWg: true });
if (skip) {
  console.log(JSON.stringify({ bench: "connect", skipped: skip }));
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), "wg402-bench-connect-"));
const stack = await startPaidStack(dir);
const pair = await createNetnsPair({ prefix: "wgcb" });
const octet = randomInt(1, 250);
const gateway = `10.69.${octet}.1`;
const agent = await startAgentProcess({
  ...stack.agentEnv,
  AGENT_DB_PATH: join(dir, "agent.sqlite"),
  AGENT_WG_MODE: "userspace",
  AGENT_WG_NETNS: pair.a,
  AGENT_WG_INTERFACE: uniqueName("wgbn"),
  AGENT_WG_ENDPOINT_HOST: pair.addrA,
  AGENT_WG_SUBNET: `10.69.${octet}.0/24`,
  AGENT_WG_ALLOWED_IPS: `10.69.${octet}.0/24`,
  AGENT_WG_DNS: "",
  AGENT_WG_PRIVATE_KEY_FILE: join(dir, "agent.key"),
});
const stackFile = join(dir, "local.json");
await writeLocalStack(
  { ...stack.chain.stack, services: { ...stack.chain.stack.services, agent: agent.url } },
  stackFile,
);
const env = { ...process.env, WG402_STACK_FILE: stackFile, WG402_RPC_URL_LOCAL: stack.chain.rpcUrl };
const account = privateKeyToAccount(stack.chain.stack.accounts.demo.privateKey as Hex);

/** Pings once per 10 ms until the tunnel answers. */
async function firstPacket(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const ok = await execIn(pair.b, "ping", ["-n", "-c", "1", "-W", "0.05", gateway]).then(
      () => true,
      () => false,
    );
    if (ok) return;
  }
  throw new Error("no packet through the tunnel");
}

try {
  const connectMs: number[] = [];
  const phases: { paid: number; up: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const client = await LeaseClient.connect({ nodeUrl: agent.url, account, env });
    const session = new VpnSession({
      client,
      driver: new UserspaceDriver({ netns: pair.b }),
      minutes: 5,
      interfaceName: uniqueName("wgbc"),
      keys: generateKeyPair(),
    });
    const connected = await session.start();
    const tUp = performance.now();
    await firstPacket();
    const t1 = performance.now();
    connectMs.push(t1 - t0);
    phases.push({ paid: connected.payment.latencyMs, up: tUp - t0 });
    await session.stop();
  }

  const client = await LeaseClient.connect({ nodeUrl: agent.url, account, env });
  const lease = await client.create({ publicKey: generateKeyPair().publicKey, minutes: 5 });
  const renewMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await client.renew(lease.lease.id, 1);
    renewMs.push(performance.now() - t0);
  }
  await client.close(lease.lease.id);

  console.log(
    JSON.stringify(
      {
        bench: "connect and renew (client SDK, userspace driver, real agent, local chain)",
        connectToFirstPacketMs: summarize(connectMs),
        paymentRoundTripMs: summarize(phases.map((p) => p.paid)),
        tunnelUpMs: summarize(phases.map((p) => p.up)),
        renewalRoundTripMs: summarize(renewMs),
        targets: { connectP50Ms: 300, renewalP50Ms: 60 },
      },
      null,
      2,
    ),
  );
} finally {
  await agent.stop();
  await pair.cleanup();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
