// The interop proof for escrow channels: the official x402 SDK in all three roles it has — its batch-settlement
// client behind @x402/fetch, a minimal @x402/express server with its batch-settlement server scheme and channel
// manager — and wg402's facilitator (its own process) in the third, on the local chain with wg402's escrow at the
// SDK's canonical addresses. Every balance is read back from the chain, to the unit.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalChain, startLocalChain } from "@wg402/contracts";
import { type FacilitatorProcess, startFacilitatorProcess } from "@wg402/facilitator";
import { canonicalEscrowAddresses, chains, x402BatchSettlementAbi, x402TestUSDAbi } from "@wg402/shared";
import { HTTPFacilitatorClient, x402ResourceServer } from "@x402/core/server";
import { type ChannelConfig, toClientEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClientScheme } from "@x402/evm/batch-settlement/client";
import {
  BatchSettlementEvmScheme as BatchServerScheme,
  type BatchSettlementChannelManager,
  InMemoryChannelStorage,
} from "@x402/evm/batch-settlement/server";
import { paymentMiddleware } from "@x402/express";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import express from "express";
import {
  createPublicClient,
  createWalletClient,
  decodeFunctionData,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
  parseEther,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const NETWORK = "eip155:31337";
const PRICE = 1_000n; // per request: 0.001 tUSD
const MINTED = 10_000_000n;
const WITHDRAW_DELAY = 900; // the escrow's minimum, 15 minutes
const escrow = canonicalEscrowAddresses.batchSettlement as Hex;

let chain: LocalChain;
let dir: string;
let facilitator: FacilitatorProcess;
let server: Server;
let publicClient: PublicClient;

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await facilitator?.stop();
  await chain?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const balanceOf = (address: Hex) =>
  publicClient.readContract({
    address: chain.stack.token.address as Hex,
    abi: x402TestUSDAbi,
    functionName: "balanceOf",
    args: [address],
  });
const channelOf = (channelId: Hex) =>
  publicClient.readContract({
    address: escrow,
    abi: x402BatchSettlementAbi,
    functionName: "channels",
    args: [channelId],
  });
const facilitatorTxCount = () =>
  publicClient.getTransactionCount({ address: chain.stack.accounts.facilitator.address as Hex });

type Payer = { account: LocalAccount; scheme: BatchClientScheme; pay: typeof fetch; charged: bigint };

it("deposits, pays 100 requests by voucher, claims, settles, refunds and withdraws, to the unit", async () => {
  chain = await startLocalChain();
  dir = await mkdtemp(join(tmpdir(), "wg402-escrow-interop-"));
  publicClient = createPublicClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const token = chain.stack.token.address as Hex;
  const receiver = chain.stack.accounts.operator.address as Hex;
  const deployer = createWalletClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    account: privateKeyToAccount(chain.stack.accounts.deployer.privateKey as Hex),
  });

  // wg402's facilitator, as an operator runs it, offering its own receiver authorizer behind an API key.
  const apiKey = randomBytes(16).toString("hex");
  const authorizerKey = generatePrivateKey();
  const authorizer = privateKeyToAccount(authorizerKey);
  facilitator = await startFacilitatorProcess({
    FACILITATOR_PRIVATE_KEY: chain.stack.accounts.facilitator.privateKey,
    FACILITATOR_AUTHORIZER_PRIVATE_KEY: authorizerKey,
    FACILITATOR_API_KEYS: apiKey,
    FACILITATOR_DB_PATH: join(dir, "facilitator.sqlite"),
    FACILITATOR_PORT: "0",
    WG402_RPC_URL_LOCAL: chain.rpcUrl,
    LOG_LEVEL: "warn",
  });

  // The server: the SDK's batch-settlement scheme delegating the receiver-authorizer role to the facilitator.
  const auth = { Authorization: `Bearer ${apiKey}` };
  const facilitatorClient = new HTTPFacilitatorClient({
    url: facilitator.url,
    createAuthHeaders: async () => ({ verify: auth, settle: auth, supported: auth }),
  });
  const serverScheme = new BatchServerScheme(receiver, {
    storage: new InMemoryChannelStorage(),
    withdrawDelay: WITHDRAW_DELAY,
  });
  const resourceServer = new x402ResourceServer(facilitatorClient).register(NETWORK, serverScheme);
  const app = express();
  app.use(
    paymentMiddleware(
      {
        "GET /paid": {
          accepts: {
            scheme: "batch-settlement",
            network: NETWORK,
            payTo: receiver,
            maxTimeoutSeconds: 300,
            price: {
              amount: PRICE.toString(),
              asset: token,
              extra: { name: chain.stack.token.eip712.name, version: chain.stack.token.eip712.version },
            },
          },
          description: "one paid request",
          mimeType: "application/json",
        },
      },
      resourceServer,
    ),
  );
  app.get("/paid", (_req, res) => {
    res.json({ served: true });
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/paid`;
  const manager: BatchSettlementChannelManager = serverScheme.createChannelManager(facilitatorClient, NETWORK, token);

  // Four payers, each with tokens and no gas, each with the SDK's client.
  const payers: Payer[] = [];
  for (let i = 0; i < 4; i++) {
    const account = privateKeyToAccount(generatePrivateKey());
    await publicClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: token,
        abi: x402TestUSDAbi,
        functionName: "mint",
        args: [account.address, MINTED],
      }),
    });
    const scheme = new BatchClientScheme(toClientEvmSigner(account, publicClient), {
      // The server announces a minimum deposit of a few requests; this payer deposits for a hundred.
      depositStrategy: ({ requestAmount }) => (100n * BigInt(requestAmount)).toString(),
    });
    const pay = wrapFetchWithPayment(
      fetch,
      new x402Client()
        .register(NETWORK, scheme)
        .setSpendControls({ allowedAssets: [{ network: NETWORK, asset: token }] }),
    );
    payers.push({ account, scheme, pay, charged: 0n });
  }
  const [a, b, c, d] = payers as [Payer, Payer, Payer, Payer];
  const payOnce = async (payer: Payer) => {
    const res = await payer.pay(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ served: true });
    payer.charged += PRICE;
  };
  const escrowStart = await balanceOf(escrow);
  const firstBlock = await publicClient.getBlockNumber();
  const receiverStart = await balanceOf(receiver);

  // (1) A gasless deposit each: the first paid request opens the channel through the facilitator.
  for (const payer of payers) await payOnce(payer);
  const deposit = 100n * PRICE;
  expect(await balanceOf(escrow)).toBe(escrowStart + 4n * deposit);
  for (const payer of payers) {
    expect(await balanceOf(payer.account.address)).toBe(MINTED - deposit);
    expect(await publicClient.getBalance({ address: payer.account.address })).toBe(0n);
  }
  const channelIds = new Map<Payer, Hex>();
  const configs = new Map<Payer, ChannelConfig>();
  for (const channel of await serverScheme.getStorage().list()) {
    const payer = payers.find((p) => p.account.address.toLowerCase() === channel.channelConfig.payer.toLowerCase());
    if (!payer) throw new Error(`a channel of nobody's: ${channel.channelId}`);
    // The channel names the facilitator's authorizer, which /supported offered and the server passed on.
    expect(channel.channelConfig.receiverAuthorizer).toBe(authorizer.address);
    channelIds.set(payer, channel.channelId as Hex);
    configs.set(payer, channel.channelConfig);
  }
  expect(channelIds.size).toBe(4);
  for (const id of channelIds.values()) expect(await channelOf(id)).toEqual([deposit, 0n]);

  // (2) 100 paid requests by voucher: not one transaction.
  const block = await publicClient.getBlockNumber();
  const txsBefore = await facilitatorTxCount();
  const started = performance.now();
  for (const [payer, count] of [
    [a, 30],
    [b, 30],
    [c, 30],
    [d, 10],
  ] as const) {
    for (let i = 0; i < count; i++) await payOnce(payer);
  }
  const voucherMs = performance.now() - started;
  expect(await publicClient.getBlockNumber()).toBe(block);
  expect(await facilitatorTxCount()).toBe(txsBefore);
  expect(await balanceOf(escrow)).toBe(escrowStart + 4n * deposit);

  // (3) One batched claim: all four channels in one claimWithSignature, signed by the facilitator's authorizer.
  const claims = await manager.claim();
  expect(claims).toEqual([{ vouchers: 4, transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) }]);
  expect(await facilitatorTxCount()).toBe(txsBefore + 1);
  const claimTx = await publicClient.getTransaction({ hash: (claims[0] as { transaction: Hex }).transaction });
  const decoded = decodeFunctionData({ abi: x402BatchSettlementAbi, data: claimTx.input });
  expect(decoded.functionName).toBe("claimWithSignature");
  expect(decoded.args?.[0]).toHaveLength(4);
  for (const payer of payers) {
    expect(await channelOf(channelIds.get(payer) as Hex)).toEqual([deposit, payer.charged]);
  }

  // (4) settle: everything claimed, to the receiver, in one transfer.
  const claimedSoFar = payers.reduce((sum, p) => sum + p.charged, 0n);
  const settled = await manager.settle();
  expect(settled.transaction).toMatch(/^0x[0-9a-f]{64}$/);
  expect(await balanceOf(receiver)).toBe(receiverStart + claimedSoFar);
  expect(await balanceOf(escrow)).toBe(escrowStart + 4n * deposit - claimedSoFar);

  // (5) A cooperative refund of the rest: asked for by a's own SDK client, and by the server for b and c.
  const refundedA = await a.scheme.refund(url);
  expect(refundedA).toMatchObject({ success: true, amount: (deposit - a.charged).toString() });
  const refunds = await manager.refund([channelIds.get(b) as string, channelIds.get(c) as string]);
  expect(refunds).toHaveLength(2);
  for (const payer of [a, b, c]) {
    expect(await balanceOf(payer.account.address)).toBe(MINTED - payer.charged);
    expect(await channelOf(channelIds.get(payer) as Hex)).toEqual([payer.charged, payer.charged]);
  }
  expect(await balanceOf(escrow)).toBe(escrowStart + deposit - d.charged);

  // (6) d withdraws alone: it asks, the node claims what it served since (during the pending withdrawal), and
  // after the delay the payer takes back only what is still unclaimed.
  for (let i = 0; i < 5; i++) await payOnce(d);
  const dChannel = channelIds.get(d) as Hex;
  const dConfig = configs.get(d) as ChannelConfig;
  await publicClient.waitForTransactionReceipt({
    hash: await deployer.sendTransaction({ to: d.account.address, value: parseEther("1") }),
  });
  const payerWallet = createWalletClient({
    chain: chains.local.viem,
    transport: http(chain.rpcUrl),
    account: d.account,
  });
  const [dBalance, dClaimed] = await channelOf(dChannel);
  await publicClient.waitForTransactionReceipt({
    hash: await payerWallet.writeContract({
      address: escrow,
      abi: x402BatchSettlementAbi,
      functionName: "initiateWithdraw",
      args: [dConfig, dBalance - dClaimed],
    }),
  });
  expect(await manager.claim()).toEqual([{ vouchers: 1, transaction: expect.any(String) }]);
  expect(await channelOf(dChannel)).toEqual([deposit, d.charged]);
  await rpc(chain.rpcUrl, "evm_increaseTime", [WITHDRAW_DELAY + 1]);
  await rpc(chain.rpcUrl, "evm_mine", []);
  await publicClient.waitForTransactionReceipt({
    hash: await payerWallet.writeContract({
      address: escrow,
      abi: x402BatchSettlementAbi,
      functionName: "finalizeWithdraw",
      args: [dConfig],
    }),
  });
  expect(await balanceOf(d.account.address)).toBe(MINTED - d.charged);
  expect(await channelOf(dChannel)).toEqual([d.charged, d.charged]);
  await manager.settle();

  // Every unit accounted for: each payer paid exactly what it was charged, the receiver holds all of it, and the
  // escrow holds nothing more than before.
  const charged = payers.reduce((sum, p) => sum + p.charged, 0n);
  expect(charged).toBe((4n + 100n + 5n) * PRICE);
  expect(await balanceOf(receiver)).toBe(receiverStart + charged);
  expect(await balanceOf(escrow)).toBe(escrowStart);
  if (process.env.WG402_INTEROP_REPORT)
    console.log(JSON.stringify({ voucherMs, txs: await facilitatorTxs(firstBlock) }));
});

function rpc(rpcUrl: string, method: string, params: unknown[]) {
  return fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  }).then((r) => r.json());
}

/** What the facilitator sent since `from`: each transaction's function and gas, for the report. */
async function facilitatorTxs(from: bigint) {
  const signer = chain.stack.accounts.facilitator.address.toLowerCase();
  const sent: { fn: string; gasUsed: string }[] = [];
  for (let n = from; n <= (await publicClient.getBlockNumber()); n++) {
    for (const tx of (await publicClient.getBlock({ blockNumber: n, includeTransactions: true })).transactions) {
      if (tx.from.toLowerCase() !== signer) continue;
      const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
      const fn = decodeFunctionData({ abi: x402BatchSettlementAbi, data: tx.input }).functionName;
      sent.push({ fn, gasUsed: receipt.gasUsed.toString() });
    }
  }
  return sent;
}
