// The embedded local default as `npm start` builds it: a real hardhat node, the token deployed from the
// Hardhat build, the demo wallet funded; then a third party moves the demo wallet's tokens with an EIP-3009
// authorization signed off-chain, and a replay of it reverts.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_DEMO_FUNDS, deployLocalStack, type HardhatNode, startHardhatNode } from "@wg402/contracts";
import {
  chains,
  type LocalStack,
  readLocalStack,
  transferWithAuthorizationTypes,
  writeLocalStack,
  x402TestUSDAbi,
} from "@wg402/shared";
import { createPublicClient, createWalletClient, type Hex, http, parseSignature, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

let node: HardhatNode;
let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  node = await startHardhatNode();
  stack = await deployLocalStack({ rpcUrl: node.rpcUrl });
  dir = await mkdtemp(join(tmpdir(), "wg402-stack-"));
});

afterAll(async () => {
  await node?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const publicClient = () =>
  createPublicClient({ chain: chains.local.viem, transport: http(node.rpcUrl), pollingInterval: 50 });

describe("local stack", () => {
  it("answers eth_chainId 0x7a69 on the printed URL", async () => {
    const response = await fetch(node.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(await response.json()).toMatchObject({ result: "0x7a69" });
  });

  it("writes a stack file that round-trips through its schema", async () => {
    const file = join(dir, "local.json");
    await writeLocalStack(stack, file);
    const read = await readLocalStack(file);
    expect(read).toEqual(stack);
    expect(read.chain).toEqual({ id: 31337, network: "eip155:31337", rpcUrl: node.rpcUrl });
  });

  it("deploys the token with code and funds the demo wallet", async () => {
    const client = publicClient();
    expect(await client.getCode({ address: stack.token.address as Hex })).toMatch(/^0x[0-9a-f]{100,}/);
    const balance = await client.readContract({
      address: stack.token.address as Hex,
      abi: x402TestUSDAbi,
      functionName: "balanceOf",
      args: [stack.accounts.demo.address as Hex],
    });
    expect(balance).toBe(DEFAULT_DEMO_FUNDS);
  });

  it("moves tokens with an off-chain EIP-3009 authorization submitted by someone else, once", async () => {
    const client = publicClient();
    const payer = privateKeyToAccount(stack.accounts.demo.privateKey as Hex);
    const relayer = createWalletClient({
      chain: chains.local.viem,
      transport: http(node.rpcUrl),
      account: privateKeyToAccount(stack.accounts.facilitator.privateKey as Hex),
    });
    const payee = stack.accounts.operator.address as Hex;
    const token = stack.token.address as Hex;
    const balanceOf = (address: Hex) =>
      client.readContract({ address: token, abi: x402TestUSDAbi, functionName: "balanceOf", args: [address] });

    const message = {
      from: payer.address,
      to: payee,
      value: 1_500_000n,
      validAfter: 0n,
      validBefore: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: toHex(randomBytes(32)),
    };
    const signature = await payer.signTypedData({
      domain: { ...stack.token.eip712, chainId: stack.chain.id, verifyingContract: token },
      types: transferWithAuthorizationTypes,
      primaryType: "TransferWithAuthorization",
      message,
    });
    const { v, r, s } = parseSignature(signature);
    const args = [
      message.from,
      message.to,
      message.value,
      message.validAfter,
      message.validBefore,
      message.nonce,
      Number(v),
      r,
      s,
    ] as const;

    const [payerBefore, payeeBefore] = await Promise.all([balanceOf(payer.address), balanceOf(payee)]);
    const hash = await relayer.writeContract({
      address: token,
      abi: x402TestUSDAbi,
      functionName: "transferWithAuthorization",
      args,
    });
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await balanceOf(payer.address)).toBe(payerBefore - message.value);
    expect(await balanceOf(payee)).toBe(payeeBefore + message.value);

    await expect(
      client.simulateContract({
        address: token,
        abi: x402TestUSDAbi,
        functionName: "transferWithAuthorization",
        args,
        account: relayer.account,
      }),
    ).rejects.toThrow(/ERC3009UsedAuthorization/);
    expect(await balanceOf(payee)).toBe(payeeBefore + message.value);
  });
});
