// What the real-tunnel tests share: a node (a real agent process with wireguard-go in the first namespace of a
// pair) on the paid stack, funded payers for the real CLI, and readings taken inside the namespaces.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { writeLocalStack } from "@wg402/shared";
import { runCommand } from "@wg402/wireguard";
import { execIn, type NetnsPair } from "@wg402/wireguard/testing";
import type { PaidStack } from "./support.ts";

/** A node on `pair.a` whose tunnel subnet is `<subnet>.0/24` (gateway `<subnet>.1`), its ledger and key in `dir`. */
export async function startTunnelNode(p: {
  stack: PaidStack;
  dir: string;
  pair: NetnsPair;
  iface: string;
  subnet: string;
  stackFile: string;
  env: Record<string, string>;
}): Promise<AgentProcess> {
  const agent = await startAgentProcess({
    ...p.stack.agentEnv,
    AGENT_DB_PATH: join(p.dir, "agent.sqlite"),
    AGENT_WG_MODE: "userspace",
    AGENT_WG_NETNS: p.pair.a,
    AGENT_WG_INTERFACE: p.iface,
    AGENT_WG_ENDPOINT_HOST: p.pair.addrA,
    AGENT_WG_SUBNET: `${p.subnet}.0/24`,
    AGENT_WG_DNS: "",
    AGENT_WG_PRIVATE_KEY_FILE: join(p.dir, "agent.key"),
    ...p.env,
  });
  // The CLI finds the node (and the chain) through the stack file.
  const { stack } = p;
  await writeLocalStack(
    { ...stack.chain.stack, services: { ...stack.chain.stack.services, agent: agent.url } },
    p.stackFile,
  );
  return agent;
}

/** A funded wallet and the CLI environment that pays with it, with a home of its own. */
export async function tunnelPayer(
  stack: PaidStack,
  p: { dir: string; stackFile: string; funds: bigint; home: string },
) {
  const wallet = await stack.fundedWallet(p.funds);
  const env = {
    WG402_HOME: join(p.dir, p.home),
    WG402_STACK_FILE: p.stackFile,
    WG402_RPC_URL_LOCAL: stack.chain.rpcUrl,
    WG402_PRIVATE_KEY: wallet.privateKey,
  };
  return { env, address: wallet.address };
}

/** Pings `count` times at 10 Hz from `ns`; how many came back. */
export async function pingsFrom(ns: string, address: string, count: number): Promise<number> {
  const out = await execIn(ns, "ping", ["-n", "-i", "0.1", "-c", String(count), "-W", "1", address], {
    timeoutMs: count * 200 + 10_000,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return Number(/(\d+) received/.exec(out.stdout)?.[1] ?? 0);
}

/** The peers the node's interface has right now. */
export async function agentPeersIn(ns: string, iface: string): Promise<string[]> {
  return (await execIn(ns, "wg", ["show", iface, "peers"])).stdout.split("\n").filter(Boolean);
}

/** Everything a real-tunnel test started, gone by name and PID even when it failed half way. */
export async function cleanUpTunnelTest(p: {
  agent: AgentProcess | undefined;
  pair: NetnsPair | undefined;
  clientIfaces: string[];
  stack: PaidStack | undefined;
  dir: string | undefined;
}): Promise<void> {
  await p.agent?.stop();
  for (const iface of p.clientIfaces) {
    if (p.pair) await runCommand("ip", ["-n", p.pair.b, "link", "del", iface]).catch(() => undefined);
    await runCommand("pkill", ["-f", `wireguard-go.* ${iface}$`]).catch(() => undefined);
  }
  await p.pair?.cleanup();
  await p.stack?.stop();
  if (p.dir) await rm(p.dir, { recursive: true, force: true });
}
