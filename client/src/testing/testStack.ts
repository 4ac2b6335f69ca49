// Test-only: the agent's test kit (a real local chain, the real facilitator in-process and real agents on
// FakeDrivers) as the client's tests use it. Not exported by the package; it imports dev dependencies.
import type { Server } from "node:http";
import type { Agent } from "@wg402/agent";
import { PRICE, startAgentHarness } from "@wg402/agent/testing";
import type { LocalChain } from "@wg402/contracts";
import type { FakeDriver } from "@wg402/wireguard";
import type { Hex, PublicClient } from "viem";

export type RunningAgent = { agent: Agent; url: string; driver: FakeDriver };

export type TestStack = {
  chain: LocalChain;
  dir: string;
  publicClient: PublicClient;
  facilitatorUrl: string;
  /** The environment a client needs: the stack file and its RPC. */
  env: Record<string, string>;
  token: Hex;
  operator: Hex;
  /**
   * An agent on a FakeDriver. Its peers handshake and pass a little traffic every 100 ms, as if a WireGuard
   * app had imported the config (a session is connected only on that evidence); `handshakes: false` leaves
   * them silent, like a tunnel whose UDP is blocked.
   */
  startAgent(env?: Record<string, string>, options?: { handshakes?: boolean }): Promise<RunningAgent>;
  /**
   * The environment of an agent *process* on this chain, token and facilitator (add the WireGuard settings):
   * for tests that need a node with a real WireGuard device, which can handshake.
   */
  agentEnv: Record<string, string>;
  /** A fresh payer holding `amount` base units of the token (and no gas: paying needs none). */
  fundedWallet(amount: bigint): Promise<{ privateKey: Hex; address: Hex }>;
  balanceOf(address: Hex): Promise<bigint>;
  /** Serves `app` on a loopback port, closed by `stop()`. */
  listen(app: { listen: (port: number, host: string) => Server }): Promise<string>;
  stop(): Promise<void>;
};

export const PRICE_PER_MINUTE = PRICE;

export async function startTestStack(): Promise<TestStack> {
  const h = await startAgentHarness();
  return {
    chain: h.chain,
    dir: h.dir,
    publicClient: h.publicClient,
    facilitatorUrl: h.facilitatorUrl,
    env: h.clientEnv,
    token: h.token(),
    operator: h.operator(),
    listen: h.listen,
    agentEnv: {
      AGENT_PORT: "0",
      AGENT_PAY_TO: h.chain.stack.accounts.operator.address,
      AGENT_TOKEN_ADDRESS: h.chain.stack.token.address,
      AGENT_TOKEN_NAME: h.chain.stack.token.eip712.name,
      AGENT_TOKEN_VERSION: h.chain.stack.token.eip712.version,
      AGENT_FACILITATOR_URL: h.facilitatorUrl,
      AGENT_RPC_URL: h.chain.rpcUrl,
      LOG_LEVEL: "warn",
    },
    fundedWallet: h.fundedWallet,
    balanceOf: h.balanceOf,
    async startAgent(env = {}, options = {}) {
      // The agent's own ticks (sweep, meter, reconcile) run as in production.
      const { agent, url, driver } = await h.startAgent({ env, intervals: {} });
      if (options.handshakes !== false) {
        const timer = setInterval(() => void answerPeers(driver), 100);
        h.onClose(() => clearInterval(timer));
      }
      return { agent, url, driver };
    },
    stop: () => h.close(),
  };
}

/** Every peer with an address handshakes now and sends a keepalive's worth of bytes. */
async function answerPeers(driver: FakeDriver): Promise<void> {
  const peers = await driver.listPeers().catch(() => []);
  for (const peer of peers) {
    if (peer.allowedIps.length === 0) continue;
    try {
      driver.handshake(peer.publicKey, new Date());
      driver.addTraffic(peer.publicKey, 32, 32);
    } catch {
      // Removed since it was listed: nothing to answer for.
    }
  }
}
