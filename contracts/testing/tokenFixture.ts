// Test fixture for X402TestUSD, kept out of test/ (where every file is run as a test): the token on a fresh
// in-process chain, its roles, and the EIP-712 types of its signed operations.
import assert from "node:assert/strict";
import { transferWithAuthorizationTypes } from "@wg402/shared";
import { network } from "hardhat";
import { type Address, type Hex, keccak256, parseSignature, toHex } from "viem";

export const FAUCET = { amount: 100_000_000n, cooldown: 60n, cap: 250_000_000n };

export const transferTypes = transferWithAuthorizationTypes;
export const receiveTypes = { ReceiveWithAuthorization: transferTypes.TransferWithAuthorization } as const;
export const cancelTypes = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;
export const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

let nonceCounter = 0;
export const freshNonce = (): Hex => keccak256(toHex(`wg402-test-nonce-${Date.now()}-${nonceCounter++}`));

export async function setup() {
  const { viem, networkHelpers } = await network.create();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert(client, `hardhat network has no wallet #${index}`);
    return client;
  };
  const [owner, alice, bob, relayer] = [wallet(0), wallet(1), wallet(2), wallet(3)];
  const token = await viem.deployContract("X402TestUSD", [
    owner.account.address,
    FAUCET.amount,
    FAUCET.cooldown,
    FAUCET.cap,
  ]);
  await token.write.mint([alice.account.address, 1_000_000_000n]);
  const domain = {
    name: await token.read.name(),
    version: await token.read.version(),
    chainId: await (await viem.getPublicClient()).getChainId(),
    verifyingContract: token.address,
  };
  const now = async () => BigInt(await networkHelpers.time.latest());

  /** Alice signs a USDC-shaped authorization off-chain; anyone may submit it. */
  async function signTransfer(
    overrides: Partial<{ to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex }> = {},
    signer = alice,
    primaryType: "TransferWithAuthorization" | "ReceiveWithAuthorization" = "TransferWithAuthorization",
  ) {
    const message = {
      from: alice.account.address,
      to: bob.account.address,
      value: 25_000_000n,
      validAfter: 0n,
      validBefore: (await now()) + 3_600n,
      nonce: freshNonce(),
      ...overrides,
    };
    const signature = await signer.signTypedData({
      domain,
      types: primaryType === "TransferWithAuthorization" ? transferTypes : receiveTypes,
      primaryType,
      message,
    } as never);
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
    return { message, args };
  }

  return { viem, networkHelpers, token, owner, alice, bob, relayer, domain, now, signTransfer };
}
