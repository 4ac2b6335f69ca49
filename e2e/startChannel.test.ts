// `npm start` as a user gets it serves escrow channels: the official SDK's batch-settlement client opens a
// channel (a gasless deposit) through the running facilitator, with the receiver authorizer it advertises.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalEscrowAddresses, chains, readLocalStack, x402BatchSettlementAbi } from "@wg402/shared";
import { describeOrSkip, userspaceSkipReason } from "@wg402/wireguard/testing";
import type { PaymentRequirements } from "@x402/core/types";
import { toClientEvmSigner } from "@x402/evm";
import { BatchSettlementEvmScheme as BatchClient } from "@x402/evm/batch-settlement/client";
import { createPublicClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type Stack, startStack, stopStack } from "./npmStart.ts";

// npm start brings up a real tunnel namespace where it can; the stack helper reads its node line.
const skip = await userspaceSkipReason({ needWg: true });

describeOrSkip(skip, "npm start and escrow channels", () => {
  let stack: Stack | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await stopStack(stack?.child);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lets the SDK's batch-settlement client open a channel against the running facilitator", async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-start-channel-"));
    stack = await startStack({ WG402_STACK_DIR: dir });
    const local = await readLocalStack(stack.stackFile);
    const supported = (await (await fetch(`${stack.facilitatorUrl}/supported`)).json()) as {
      kinds: { scheme: string; network: string; extra?: { receiverAuthorizer?: string } }[];
    };
    const kind = supported.kinds.find((k) => k.scheme === "batch-settlement" && k.network === "eip155:31337");
    const receiverAuthorizer = kind?.extra?.receiverAuthorizer as Hex | undefined;
    expect(receiverAuthorizer).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(stack.output).toContain(`receiverAuthorizer ${receiverAuthorizer}`);

    const requirements: PaymentRequirements = {
      scheme: "batch-settlement",
      network: "eip155:31337",
      asset: local.token.address,
      amount: "1000",
      payTo: local.accounts.operator.address,
      maxTimeoutSeconds: 300,
      extra: {
        receiverAuthorizer,
        withdrawDelay: 900,
        name: local.token.eip712.name,
        version: local.token.eip712.version,
      },
    };
    const publicClient = createPublicClient({ chain: chains.local.viem, transport: http(local.chain.rpcUrl) });
    const payer = privateKeyToAccount(local.accounts.demo.privateKey as Hex);
    const client = new BatchClient(toClientEvmSigner(payer, publicClient), {
      depositPolicy: { depositMultiplier: 10 },
    });
    const created = await client.createPaymentPayload(2, requirements);
    const deposit = created.payload as { type: string; voucher: { channelId: Hex }; deposit: { amount: string } };
    expect(deposit.type).toBe("deposit");

    const settled = await fetch(`${stack.facilitatorUrl}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        x402Version: 2,
        paymentPayload: { x402Version: 2, accepted: requirements, payload: created.payload },
        paymentRequirements: requirements,
      }),
    });
    const body = (await settled.json()) as { success: boolean; transaction: Hex };
    expect(body).toMatchObject({ success: true });
    const receipt = await publicClient.getTransactionReceipt({ hash: body.transaction });
    expect(receipt.status).toBe("success");
    const [balance, totalClaimed] = (await publicClient.readContract({
      address: canonicalEscrowAddresses.batchSettlement as Hex,
      abi: x402BatchSettlementAbi,
      functionName: "channels",
      args: [deposit.voucher.channelId],
    })) as readonly [bigint, bigint, ...unknown[]];
    expect(balance).toBe(BigInt(deposit.deposit.amount));
    expect(totalClaimed).toBe(0n);
  }, 150_000);
});
