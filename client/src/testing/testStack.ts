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
  startAgent(env?: Record<string, string>): Promise<RunningAgent>;
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
    fundedWallet: h.fundedWallet,
    balanceOf: h.balanceOf,
    async startAgent(env = {}) {
      // The agent's own ticks (sweep, meter, reconcile) run as in production.
      const { agent, url, driver } = await h.startAgent({ env, intervals: {} });
      return { agent, url, driver };
    },
    stop: () => h.close(),
  };
}
