// What the facilitator's chain tests stand on: a real hardhat node with the test token, facilitators built
// from config as `main.ts` builds them, and payments signed by the official SDK client.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { canonicalEscrowAddresses, chains, x402BatchSettlementAbi, x402TestUSDAbi } from "@wg402/shared";
import { createSerialQueue } from "@wg402/shared/runtime";
import { x402Client } from "@x402/core/client";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClient, signVoucher } from "@x402/evm/batch-settlement/client";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { pino } from "pino";
import request from "supertest";
import { createPublicClient, createWalletClient, type Hex, http, type LocalAccount, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { DepositPayload } from "../batchPayload.ts";
import { buildFacilitator, type Facilitator } from "../buildFacilitator.ts";
import { loadFacilitatorConfig } from "../config.ts";

export type FacilitatorHarness = Awaited<ReturnType<typeof startFacilitatorHarness>>;

export async function startFacilitatorHarness() {
  const chain: LocalChain = await startLocalChain();
  const dir = await mkdtemp(join(tmpdir(), "wg402-facilitator-"));
  const publicClient = createPublicClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const opened: Facilitator[] = [];
  const token = chain.stack.token.address as Hex;
  const payer: LocalAccount = privateKeyToAccount(chain.stack.accounts.demo.privateKey as Hex);
  const payTo = chain.stack.accounts.operator.address as Hex;
  const facilitatorAddress = chain.stack.accounts.facilitator.address as Hex;
  const requirements: PaymentRequirements = {
    scheme: "exact",
    network: "eip155:31337",
    asset: token,
    amount: "1500000",
    payTo,
    maxTimeoutSeconds: 120,
    extra: { name: chain.stack.token.eip712.name, version: chain.stack.token.eip712.version },
  };

  const build = (env: Record<string, string> = {}, dbName = "facilitator.sqlite"): Facilitator => {
    const config = loadFacilitatorConfig({
      FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
      FACILITATOR_DB_PATH: join(dir, dbName),
      WG402_RPC_URL_LOCAL: chain.rpcUrl,
      FACILITATOR_CONFIRMATION_TIMEOUT_MS: "5000",
      ...env,
    });
    const built = buildFacilitator({
      config,
      signerKey: config.FACILITATOR_PRIVATE_KEY as Hex,
      authorizerKey: config.FACILITATOR_AUTHORIZER_PRIVATE_KEY as Hex | undefined,
      logger: pino({ level: "silent" }),
      env: { WG402_RPC_URL_LOCAL: chain.rpcUrl },
    });
    opened.push(built);
    return built;
  };

  // batch-settlement: a receiver authorizer of the facilitator's own, which servers delegate to, and the API key
  // without which the facilitator signs no refund.
  const authorizerKey = generatePrivateKey();
  const authorizer = privateKeyToAccount(authorizerKey);
  const apiKey = "k-batch-0123456789abcdef";
  const batchRequirements: PaymentRequirements = {
    scheme: "batch-settlement",
    network: "eip155:31337",
    asset: token,
    amount: "1000",
    payTo,
    maxTimeoutSeconds: 300,
    extra: {
      receiverAuthorizer: authorizer.address,
      withdrawDelay: 900,
      name: chain.stack.token.eip712.name,
      version: chain.stack.token.eip712.version,
    },
  };
  /** A facilitator that offers the authorizer, behind the API key. */
  const buildBatch = (env: Record<string, string> = {}, dbName = "batch.sqlite"): Facilitator =>
    build({ FACILITATOR_AUTHORIZER_PRIVATE_KEY: authorizerKey, FACILITATOR_API_KEYS: apiKey, ...env }, dbName);

  const deployer = createWalletClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    account: privateKeyToAccount(chain.stack.accounts.deployer.privateKey as Hex),
  });
  const funding = createSerialQueue();
  /** A fresh payer holding `amount` base units of the token, and no gas: depositing needs none. */
  const fundedPayer = (amount = 10_000_000n): Promise<LocalAccount> =>
    funding(async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const hash = await deployer.writeContract({
        address: token,
        abi: x402TestUSDAbi,
        functionName: "mint",
        args: [account.address, amount],
      });
      await publicClient.waitForTransactionReceipt({ hash });
      return account;
    });

  /** A deposit exactly as the official SDK's batch-settlement client makes it (100 × the request's amount). */
  const sdkDeposit = async (
    account: LocalAccount,
    reqs: PaymentRequirements = batchRequirements,
  ): Promise<PaymentPayload & { payload: DepositPayload }> => {
    const client = new BatchClient(toClientEvmSigner(account, publicClient), {
      depositPolicy: { depositMultiplier: 100 },
    });
    const created = await client.createPaymentPayload(2, reqs);
    if ((created.payload as { type?: string }).type !== "deposit") throw new Error("the SDK client did not deposit");
    return { x402Version: 2, accepted: reqs, payload: created.payload } as unknown as PaymentPayload & {
      payload: DepositPayload;
    };
  };
  /** A voucher of the deposit's payer for a cumulative `amount`, signed by the SDK. */
  const sdkVoucher = async (account: LocalAccount, deposit: DepositPayload, amount: bigint) => ({
    type: "voucher" as const,
    channelConfig: deposit.channelConfig,
    voucher: await signVoucher(
      toClientEvmSigner(account),
      deposit.voucher.channelId as Hex,
      amount.toString(),
      "eip155:31337",
    ),
  });
  const envelope = (payload: unknown, reqs: PaymentRequirements = batchRequirements): PaymentPayload =>
    ({ x402Version: 2, accepted: reqs, payload }) as unknown as PaymentPayload;

  /** A payment exactly as a third-party x402 client makes it: the official SDK's client and `exact` scheme. */
  const sdkPayment = (reqs: PaymentRequirements = requirements, account = payer): Promise<PaymentPayload> =>
    new x402Client()
      .register("eip155:31337", new ExactEvmScheme(toClientEvmSigner(account, publicClient)))
      .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset: reqs.asset }] })
      .createPaymentPayload({
        x402Version: 2,
        resource: { url: "http://127.0.0.1/lease", description: "test", mimeType: "application/json" },
        accepts: [reqs],
      });

  return {
    chain,
    dir,
    publicClient,
    requirements,
    token,
    payer,
    payTo,
    facilitatorAddress,
    build,
    sdkPayment,
    post: (
      app: Facilitator["app"],
      path: "/verify" | "/settle",
      paymentPayload: unknown,
      paymentRequirements: unknown = requirements,
    ) => request(app).post(path).send({ x402Version: 2, paymentPayload, paymentRequirements }),
    authorizer,
    authorizerKey,
    apiKey,
    batchRequirements,
    buildBatch,
    fundedPayer,
    sdkDeposit,
    sdkVoucher,
    envelope,
    /** POST with the batch facilitator's API key; the requirements default to the batch ones. */
    postBatch: (
      app: Facilitator["app"],
      path: "/verify" | "/settle",
      paymentPayload: unknown,
      paymentRequirements: unknown = batchRequirements,
    ) =>
      request(app)
        .post(path)
        .set("authorization", `Bearer ${apiKey}`)
        .send({ x402Version: 2, paymentPayload, paymentRequirements }),
    /** The escrow's on-chain record of a channel: balance, totalClaimed. */
    channel: (channelId: Hex) =>
      publicClient.readContract({
        address: canonicalEscrowAddresses.batchSettlement,
        abi: x402BatchSettlementAbi,
        functionName: "channels",
        args: [channelId],
      }),
    refundNonce: (channelId: Hex) =>
      publicClient.readContract({
        address: canonicalEscrowAddresses.batchSettlement,
        abi: x402BatchSettlementAbi,
        functionName: "refundNonce",
        args: [channelId],
      }),
    balanceOf: (address: Hex, asset: Hex = token) =>
      publicClient.readContract({ address: asset, abi: x402TestUSDAbi, functionName: "balanceOf", args: [address] }),
    signerNonce: (blockTag: "latest" | "pending" = "latest") =>
      publicClient.getTransactionCount({ address: facilitatorAddress, blockTag }),
    /** The escrow, which holds every channel's tokens. */
    escrow: canonicalEscrowAddresses.batchSettlement as Hex,
    /** The ledger key of a payment of the harness's payer in the harness's token: its shared identity. */
    ledgerKey: (payment: PaymentPayload) =>
      `exact:eip155:31337:${token.toLowerCase()}:${payer.address.toLowerCase()}:${(payment.payload as { authorization: { nonce: string } }).authorization.nonce.toLowerCase()}`,
    ledgerRows: (f: Facilitator) => Object.values(f.ledger.countByStatus()).reduce((a, b) => a + b, 0),
    /** A fresh address nobody holds a key to. */
    stranger: () => privateKeyToAccount(generatePrivateKey()).address,
    rpc: (method: string, params: unknown[] = []) =>
      fetch(chain.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      }).then((r) => r.json() as Promise<{ result: unknown }>),
    async stop() {
      for (const f of opened) await f.close().catch(() => undefined);
      await chain.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
