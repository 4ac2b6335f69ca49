// Test-only: a real local chain, the real facilitator in-process and real agents (FakeDriver), as
// agent/src/agent.test.ts builds them. Not exported by the package; it imports dev dependencies.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Agent, buildAgent, loadAgentConfig } from "@wg402/agent";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { buildFacilitator, type Facilitator, loadFacilitatorConfig } from "@wg402/facilitator";
import { chains, writeLocalStack, x402TestUSDAbi } from "@wg402/shared";
import { FakeDriver } from "@wg402/wireguard";
import { pino } from "pino";
import { createPublicClient, createWalletClient, type Hex, http, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSerialQueue } from "../runtime/serialQueue.ts";

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

const silent = pino({ level: "silent" });

export const PRICE_PER_MINUTE = 1_000n;

export async function startTestStack(): Promise<TestStack> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const chain = await startLocalChain();
  cleanups.push(() => chain.stop());
  try {
    const dir = await mkdtemp(join(tmpdir(), "wg402-client-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const stackFile = join(dir, "local.json");
    await writeLocalStack(chain.stack, stackFile);
    const publicClient = createPublicClient({
      chain: chains.local.viem,
      transport: http(chain.rpcUrl),
      pollingInterval: 50,
    }) as PublicClient;
    const token = chain.stack.token.address as Hex;
    const deployer = createWalletClient({
      chain: chains.local.viem,
      transport: http(chain.rpcUrl),
      account: privateKeyToAccount(chain.stack.accounts.deployer.privateKey as Hex),
    });

    const listen: TestStack["listen"] = (app) => {
      const server = app.listen(0, "127.0.0.1");
      cleanups.push(() => new Promise((resolve) => server.close(resolve)));
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      });
    };

    const facilitatorConfig = loadFacilitatorConfig({
      FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
      FACILITATOR_DB_PATH: join(dir, "facilitator.sqlite"),
    });
    const facilitator: Facilitator = buildFacilitator({
      config: facilitatorConfig,
      signerKey: facilitatorConfig.FACILITATOR_PRIVATE_KEY as Hex,
      logger: silent,
      env: { WG402_RPC_URL_LOCAL: chain.rpcUrl },
    });
    cleanups.push(() => facilitator.close());
    const facilitatorUrl = await listen(facilitator.app);

    // Serialized: the deployer's nonce is shared by every funding transaction.
    const serial = createSerialQueue();
    const fundedWallet: TestStack["fundedWallet"] = (amount) =>
      serial(async () => {
        const privateKey = generatePrivateKey();
        const address = privateKeyToAccount(privateKey).address;
        if (amount > 0n) {
          const hash = await deployer.writeContract({
            address: token,
            abi: x402TestUSDAbi,
            functionName: "mint",
            args: [address, amount],
          });
          await publicClient.waitForTransactionReceipt({ hash });
        }
        return { privateKey, address };
      });

    const stack: TestStack = {
      chain,
      dir,
      publicClient,
      facilitatorUrl,
      env: { WG402_STACK_FILE: stackFile, WG402_RPC_URL_LOCAL: chain.rpcUrl },
      token,
      operator: chain.stack.accounts.operator.address as Hex,
      listen,
      fundedWallet,
      balanceOf: (address) =>
        publicClient.readContract({ address: token, abi: x402TestUSDAbi, functionName: "balanceOf", args: [address] }),
      async startAgent(env = {}) {
        const config = loadAgentConfig({
          AGENT_PAY_TO: chain.stack.accounts.operator.address,
          AGENT_TOKEN_ADDRESS: token,
          AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
          AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
          AGENT_FACILITATOR_URL: facilitatorUrl,
          AGENT_RPC_URL: chain.rpcUrl,
          AGENT_PRICE_PER_MINUTE: PRICE_PER_MINUTE.toString(),
          AGENT_MAX_MINUTES: "600",
          AGENT_DB_PATH: join(dir, `agent-${randomBytes(4).toString("hex")}.sqlite`),
          AGENT_WG_SUBNET: "10.77.0.0/24",
          ...env,
        });
        const driver = new FakeDriver();
        const agent = buildAgent({
          config,
          driver,
          serverPublicKey: randomBytes(32).toString("base64"),
          logger: silent,
        });
        await agent.start();
        cleanups.push(() => agent.close());
        return { agent, url: await listen(agent.app), driver };
      },
      async stop() {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      },
    };
    return stack;
  } catch (error) {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    throw error;
  }
}
