// kill -9 of a real agent process after a channel's deposit landed on-chain but before the agent heard back:
// no lease was granted for it, the deposit stays the payer's in the escrow, and wg402's client, asking again,
// buys its lease on that deposit (it reads the channel from the chain: no second deposit). In all, the payer
// loses exactly the seconds its one lease ran.

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import {
  type AgentHarness,
  channelAgentProcessEnv,
  facilitatorProxy,
  PRICE,
  startAgentHarness,
} from "@wg402/agent/testing";
import { LeaseClient } from "@wg402/client";
import { generateKeyPair } from "@wg402/wireguard";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

let h: AgentHarness;
let agent: AgentProcess | undefined;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(async () => {
  await agent?.stop();
  await h?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const authorizerKey = generatePrivateKey();
const agentEnv = (dbPath: string, facilitatorUrl: string) =>
  channelAgentProcessEnv(h, { dbPath, authorizerKey, extra: { AGENT_FACILITATOR_URL: facilitatorUrl } });

it("a deposit that landed while the agent died buys no lease, stays the payer's, and pays for the next request", async () => {
  const proxy = facilitatorProxy(h.facilitatorUrl);
  const proxyUrl = await h.listen(proxy.app);
  const dbPath = join(h.dir, "deposit-crash.sqlite");
  agent = await startAgentProcess(agentEnv(dbPath, proxyUrl));
  const funds = 10_000_000n;
  const wallet = await h.fundedWallet(funds);
  const account = privateKeyToAccount(wallet.privateKey);
  const env = { ...h.clientEnv, WG402_HOME: await mkdtemp(join(tmpdir(), "wg402-deposit-crash-")) };
  const client = async (url: string) => LeaseClient.connect({ nodeUrl: url, account, env, sessionCap: PRICE * 30n });
  const publicKey = () => generateKeyPair().publicKey;

  // The facilitator settles the deposit; its answer is held back, and the agent is killed meanwhile.
  proxy.answerDelayMs = 60_000;
  const first = (await client(agent.url)).create({ publicKey: publicKey(), minutes: 1 }).catch((e: unknown) => e);
  const deadline = Date.now() + 20_000;
  while ((await h.balanceOf(wallet.address)) === funds) {
    if (Date.now() > deadline) throw new Error("the deposit never landed");
    await sleep(50);
  }
  const deposited = funds - (await h.balanceOf(wallet.address));
  expect(deposited).toBe(PRICE * 30n);
  const exited = new Promise((resolve) => agent?.child.once("exit", resolve));
  agent.child.kill("SIGKILL");
  await exited;
  // The connection died with the agent: no answer, no lease.
  expect(await first).toMatchObject({ code: expect.any(String) });
  proxy.answerDelayMs = 0;

  agent = await startAgentProcess(agentEnv(dbPath, h.facilitatorUrl));
  const again = await client(agent.url);
  const created = await again.create({ publicKey: publicKey(), minutes: 1 });
  expect(created.payment).toMatchObject({ scheme: "batch-settlement", deposit: null });
  expect(await h.balanceOf(wallet.address)).toBe(funds - deposited);

  await sleep(500);
  const receipt = await again.close(created.lease.id);
  expect(again.lastRefund).toMatchObject({ ok: true });
  const charged = BigInt(receipt.channel?.charged ?? -1);
  expect(charged).toBeGreaterThan(0n);
  expect(await h.balanceOf(wallet.address)).toBe(funds - charged);
}, 90_000);
