// A real hardhat node, the real facilitator and agents on FakeDrivers, paid the way any third party pays:
// the official @x402/fetch wrapper with a viem account. Shared by the agent's API tests.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { buildFacilitator, type Facilitator, loadFacilitatorConfig } from "@wg402/facilitator";
import {
  CreateLeaseResponse,
  chains,
  formatLeaseAuth,
  LEASE_AUTH_HEADER,
  Lease,
  leaseActionTypedData,
  WireError,
  writeLocalStack,
  x402TestUSDAbi,
} from "@wg402/shared";
import { createSerialQueue } from "@wg402/shared/runtime";
import { FakeDriver } from "@wg402/wireguard";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { pino } from "pino";
import { createPublicClient, createWalletClient, type Hex, http, type LocalAccount, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { z } from "zod";
import { type Agent, type BuildAgentOptions, buildAgent } from "../buildAgent.ts";
import { loadAgentConfig } from "../config.ts";

export const PRICE = 1_000n;
/** A random WireGuard public key (any 32 bytes will do for the node). */
export const randomWgKey = () => randomBytes(32).toString("base64");
export const silent = pino({ level: "silent" });

/** An x402 client as a third party builds it: the `exact` EVM scheme, allowed to pay in `asset` only. */
export function x402PayerFor(account: LocalAccount, publicClient: PublicClient, asset: Hex) {
  return new x402Client()
    .register("eip155:31337", new ExactEvmScheme(toClientEvmSigner(account, publicClient)))
    .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset }] });
}

export type RunningAgent = { agent: Agent; url: string; driver: FakeDriver; dbPath: string };

export type AgentHarness = Awaited<ReturnType<typeof startAgentHarness>>;

/** Starts the chain and the facilitator; `close()` stops everything the harness started. */
export async function startAgentHarness() {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const chain: LocalChain = await startLocalChain();
  const dir = await mkdtemp(join(tmpdir(), "wg402-agent-"));
  const publicClient = createPublicClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const facilitatorConfig = loadFacilitatorConfig({
    FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
    FACILITATOR_DB_PATH: join(dir, "facilitator.sqlite"),
  });
  // The receiver authorizer the facilitator offers nodes that delegate channel claims to it.
  const facilitatorAuthorizerKey = generatePrivateKey();
  const facilitator: Facilitator = buildFacilitator({
    config: facilitatorConfig,
    signerKey: facilitatorConfig.FACILITATOR_PRIVATE_KEY as Hex,
    authorizerKey: facilitatorAuthorizerKey,
    logger: silent,
    env: { WG402_RPC_URL_LOCAL: chain.rpcUrl },
  });

  /** Serves `app` on a loopback port, closed by `close()`. */
  function listen(app: { listen: (port: number, host: string) => Server }): Promise<string> {
    const server = app.listen(0, "127.0.0.1");
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.once("listening", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
  }
  const facilitatorUrl = await listen(facilitator.app);
  // What a client needs to find this chain: the stack file (token, accounts) and its RPC.
  const stackFile = join(dir, "local.json");
  await writeLocalStack(chain.stack, stackFile);
  const deployer = createWalletClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    account: privateKeyToAccount(chain.stack.accounts.deployer.privateKey as Hex),
  });
  // Serialized: the deployer's nonce is shared by every funding transaction.
  const funding = createSerialQueue();
  /** A fresh payer holding `amount` base units of the token (and no gas: paying needs none). */
  const fundedWallet = (amount: bigint): Promise<{ privateKey: Hex; address: Hex }> =>
    funding(async () => {
      const privateKey = generatePrivateKey();
      const address = privateKeyToAccount(privateKey).address;
      if (amount > 0n) {
        const hash = await deployer.writeContract({
          address: chain.stack.token.address as Hex,
          abi: x402TestUSDAbi,
          functionName: "mint",
          args: [address, amount],
        });
        await publicClient.waitForTransactionReceipt({ hash });
      }
      return { privateKey, address };
    });

  const randomKey = randomWgKey;
  const token = () => chain.stack.token.address as Hex;
  const demo = () => privateKeyToAccount(chain.stack.accounts.demo.privateKey as Hex);
  const operator = () => chain.stack.accounts.operator.address as Hex;
  const balanceOf = (address: Hex) =>
    publicClient.readContract({ address: token(), abi: x402TestUSDAbi, functionName: "balanceOf", args: [address] });

  async function startAgent(
    options: {
      facilitatorUrl?: string;
      dbPath?: string;
      env?: Record<string, string>;
      /** The node's WireGuard key; random unless given (a registered node keeps its key across restarts). */
      serverPublicKey?: string;
    } & Partial<
      Pick<BuildAgentOptions, "resolver" | "intervals" | "clock" | "signingKey" | "operatorKey" | "registryChain">
    > = {},
  ): Promise<RunningAgent> {
    const dbPath = options.dbPath ?? join(dir, `agent-${randomBytes(4).toString("hex")}.sqlite`);
    const config = loadAgentConfig({
      AGENT_PAY_TO: chain.stack.accounts.operator.address,
      AGENT_TOKEN_ADDRESS: chain.stack.token.address,
      AGENT_TOKEN_NAME: chain.stack.token.eip712.name,
      AGENT_TOKEN_VERSION: chain.stack.token.eip712.version,
      AGENT_FACILITATOR_URL: options.facilitatorUrl ?? facilitatorUrl,
      AGENT_RPC_URL: chain.rpcUrl,
      AGENT_PRICE_PER_MINUTE: PRICE.toString(),
      AGENT_MAX_MINUTES: "600",
      AGENT_DB_PATH: dbPath,
      AGENT_WG_SUBNET: "10.77.0.0/24",
      ...options.env,
    });
    const driver = new FakeDriver();
    const agent = buildAgent({
      config,
      driver,
      serverPublicKey: options.serverPublicKey ?? randomKey(),
      logger: silent,
      resolver: options.resolver,
      // Tests drive the sweep themselves unless they ask for ticks.
      intervals: options.intervals ?? {
        sweepMs: 3_600_000,
        meterMs: 3_600_000,
        reconcileMs: 3_600_000,
        claimMs: 3_600_000,
        settleMs: 3_600_000,
        refundMs: 3_600_000,
        withdrawWatchMs: 3_600_000,
      },
      clock: options.clock,
      ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }),
      ...(options.operatorKey === undefined ? {} : { operatorKey: options.operatorKey }),
      ...(options.registryChain === undefined ? {} : { registryChain: options.registryChain }),
    });
    await agent.start();
    cleanups.push(() => agent.close());
    const url = await listen(agent.app);
    // As main.ts does: the registrar starts once the server listens (its URL may name the port).
    agent.registry?.start(url);
    return { agent, url, driver, dbPath };
  }

  /** A paying fetch as a third party builds it, recording the PAYMENT-SIGNATURE headers it sends. */
  function payingFetch(account: LocalAccount = demo()) {
    const sent: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const header = request.headers.get("payment-signature");
      if (header) sent.push(header);
      return fetch(request);
    };
    const client = x402PayerFor(account, publicClient, token());
    return { fetch: wrapFetchWithPayment(recording, client), sent, client };
  }

  /** The payer's proof for reading a lease in full. */
  async function viewAuth(leaseId: string, account: LocalAccount = demo(), timestamp = Math.floor(Date.now() / 1000)) {
    const signature = await account.signTypedData(
      leaseActionTypedData({ chainId: 31337, leaseId, action: "view", timestamp }),
    );
    return { [LEASE_AUTH_HEADER]: formatLeaseAuth({ timestamp, signature }) };
  }
  const leaseAt = async (url: string) =>
    read(Lease, fetch(url, { headers: await viewAuth(url.split("/").pop() as string) }));

  /** Buys a lease of `units`: minutes, or `{ minutes?, megabytes? }` (a data or hybrid lease). */
  async function buyLease(
    running: RunningAgent,
    units: number | { minutes?: number; megabytes?: number } = 3,
    publicKey = randomKey(),
  ) {
    const payer = payingFetch();
    const bought = typeof units === "number" ? { minutes: units } : units;
    const response = await postJson(payer.fetch, `${running.url}/lease`, { publicKey, ...bought });
    const json = await response.json();
    // Only a 201 carries a lease; other answers are checked by the tests that expect them.
    const body = response.status === 201 ? CreateLeaseResponse.parse(json) : (json as CreateLeaseResponse);
    return { response, body, publicKey, sent: payer.sent };
  }

  return {
    chain,
    dir,
    publicClient,
    facilitator,
    facilitatorUrl,
    facilitatorAuthorizer: privateKeyToAccount(facilitatorAuthorizerKey).address,
    clientEnv: { WG402_STACK_FILE: stackFile, WG402_RPC_URL_LOCAL: chain.rpcUrl },
    fundedWallet,
    listen,
    startAgent,
    randomKey,
    token,
    demo,
    operator,
    balanceOf,
    payingFetch,
    viewAuth,
    leaseAt,
    buyLease,
    /** Runs after everything else the harness started has stopped. */
    onClose: (cleanup: () => Promise<unknown> | unknown) => cleanups.push(cleanup),
    async close() {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await facilitator.close();
      await chain.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Response bodies are checked against the protocol's own schemas. */
export const read = async <T extends z.ZodType>(
  schema: T,
  response: Response | Promise<Response>,
): Promise<z.infer<T>> => schema.parse(await (await response).json());
export const errorOf = (response: Response) => read(WireError, response);

export const postJson = (f: typeof fetch, url: string, body: unknown, headers: Record<string, string> = {}) =>
  f(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
