// The stack under attack, as operators run it: a hardhat node, the facilitator process and the agent
// process, each on a fixed loopback port so that either can be killed with SIGKILL and started again on
// the same ledger while the other keeps running.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { type FacilitatorProcess, startFacilitatorProcess } from "@wg402/facilitator";
import { chains } from "@wg402/shared";
import { createPublicClient, type Hex, http, type PublicClient } from "viem";

/** A billed minute in the chaos stack: short enough to watch, long enough that no lease lapses mid-run. */
export const SECONDS_PER_MINUTE = 60;
/** The authorization window; short, so that payments whose facilitator never answered resolve quickly. */
export const PAYMENT_TIMEOUT_SECONDS = 20;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type ChaosStack = Awaited<ReturnType<typeof startChaosStack>>;

export async function startChaosStack() {
  const chain: LocalChain = await startLocalChain();
  const dir = await mkdtemp(join(tmpdir(), "wg402-chaos-"));
  const publicClient = createPublicClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const facilitatorPort = await freePort();
  const agentPort = await freePort();
  const facilitatorDb = join(dir, "facilitator.sqlite");
  const agentDb = join(dir, "agent.sqlite");
  const quiet = () => undefined;

  const facilitatorEnv = {
    FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
    FACILITATOR_DB_PATH: facilitatorDb,
    FACILITATOR_PORT: String(facilitatorPort),
    WG402_RPC_URL_LOCAL: chain.rpcUrl,
    // The agent and the fuzzer share loopback; a per-address limit would turn their traffic into 429s.
    FACILITATOR_RATE_LIMIT_PER_MINUTE: "0",
    FACILITATOR_CONFIRMATION_TIMEOUT_MS: "10000",
    LOG_LEVEL: "fatal",
  };
  const agentEnv = {
    AGENT_PORT: String(agentPort),
    AGENT_DB_PATH: agentDb,
    AGENT_WG_MODE: "fake",
    AGENT_WG_SUBNET: "10.88.0.0/20",
    AGENT_PAY_TO: chain.stack.accounts.operator.address,
    AGENT_TOKEN_ADDRESS: chain.stack.token.address,
    AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
    AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
    AGENT_FACILITATOR_URL: `http://127.0.0.1:${facilitatorPort}`,
    AGENT_RPC_URL: chain.rpcUrl,
    AGENT_PAYMENT_TIMEOUT_SECONDS: String(PAYMENT_TIMEOUT_SECONDS),
    AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
    AGENT_MAX_MINUTES: "30",
    LOG_LEVEL: "fatal",
  };

  let facilitator: FacilitatorProcess | undefined = await startFacilitatorProcess(facilitatorEnv, { onOutput: quiet });
  let agent: AgentProcess | undefined = await startAgentProcess(agentEnv, { onOutput: quiet });

  const kill = async (
    process:
      | {
          child: {
            kill: (s: NodeJS.Signals) => void;
            once: (e: "exit", f: () => void) => void;
            exitCode: number | null;
            signalCode: string | null;
          };
        }
      | undefined,
  ) => {
    if (!process || process.child.exitCode !== null || process.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => process.child.once("exit", resolve));
    process.child.kill("SIGKILL");
    await exited;
  };

  return {
    chain,
    publicClient,
    agentUrl: `http://127.0.0.1:${agentPort}`,
    facilitatorUrl: `http://127.0.0.1:${facilitatorPort}`,
    agentDb,
    facilitatorDb,
    token: chain.stack.token.address as Hex,
    payTo: chain.stack.accounts.operator.address as Hex,
    async killAgent() {
      await kill(agent);
      agent = undefined;
    },
    async restartAgent() {
      agent = await startAgentProcess(agentEnv, { onOutput: quiet });
    },
    async killFacilitator() {
      await kill(facilitator);
      facilitator = undefined;
    },
    async restartFacilitator() {
      facilitator = await startFacilitatorProcess(facilitatorEnv, { onOutput: quiet });
    },
    /** Both processes answer /healthz. */
    async alive(): Promise<{ agent: boolean; facilitator: boolean }> {
      const ok = (url: string) =>
        fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.ok,
          () => false,
        );
      return { agent: await ok(this.agentUrl), facilitator: await ok(this.facilitatorUrl) };
    },
    async stop() {
      await agent?.stop();
      await facilitator?.stop();
      await chain.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
