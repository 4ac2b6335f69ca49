import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { transferWithAuthorizationTypes } from "@wg402/shared";
import { network } from "hardhat";
import { type Address, getAddress, type Hex, keccak256, parseSignature, toHex } from "viem";

const FAUCET = { amount: 100_000_000n, cooldown: 60n, cap: 250_000_000n };

const transferTypes = transferWithAuthorizationTypes;
const receiveTypes = { ReceiveWithAuthorization: transferTypes.TransferWithAuthorization } as const;
const cancelTypes = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;
const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

let nonceCounter = 0;
const freshNonce = (): Hex => keccak256(toHex(`wg402-test-nonce-${Date.now()}-${nonceCounter++}`));

async function setup() {
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

describe("X402TestUSD metadata", () => {
  it("looks like USDC to x402: 6 decimals, EIP-712 name and version readable", async () => {
    const { token, domain } = await setup();
    assert.equal(await token.read.decimals(), 6);
    assert.equal(await token.read.symbol(), "tUSD");
    assert.equal(await token.read.version(), "1");
    const [, name, version, chainId, verifyingContract] = await token.read.eip712Domain();
    assert.equal(name, domain.name);
    assert.equal(version, "1");
    assert.equal(Number(chainId), domain.chainId);
    assert.equal(getAddress(verifyingContract), getAddress(token.address));
  });
});

describe("EIP-3009 transferWithAuthorization", () => {
  it("moves funds when a different account submits the payer's signature, and emits both events", async () => {
    const { viem, token, alice, bob, relayer, signTransfer } = await setup();
    const { message, args } = await signTransfer();
    const asRelayer = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: relayer } });
    const bobBefore = await token.read.balanceOf([bob.account.address]);
    const aliceBefore = await token.read.balanceOf([alice.account.address]);

    await viem.assertions.emitWithArgs(asRelayer.write.transferWithAuthorization(args), token, "AuthorizationUsed", [
      getAddress(alice.account.address),
      message.nonce,
    ]);

    assert.equal(await token.read.balanceOf([bob.account.address]), bobBefore + message.value);
    assert.equal(await token.read.balanceOf([alice.account.address]), aliceBefore - message.value);
    assert.equal(await token.read.authorizationState([alice.account.address, message.nonce]), true);
  });

  it("emits Transfer for the moved value", async () => {
    const { viem, token, alice, bob, signTransfer } = await setup();
    const { message, args } = await signTransfer();
    await viem.assertions.emitWithArgs(token.write.transferWithAuthorization(args), token, "Transfer", [
      getAddress(alice.account.address),
      getAddress(bob.account.address),
      message.value,
    ]);
  });

  it("reverts a replay of the same authorization", async () => {
    const { viem, token, alice, signTransfer } = await setup();
    const { message, args } = await signTransfer();
    await token.write.transferWithAuthorization(args);
    await viem.assertions.revertWithCustomErrorWithArgs(
      token.write.transferWithAuthorization(args),
      token,
      "ERC3009UsedAuthorization",
      [getAddress(alice.account.address), message.nonce],
    );
  });

  it("reverts an expired authorization", async () => {
    const { viem, token, now, signTransfer } = await setup();
    const validBefore = (await now()) - 1n;
    const { args } = await signTransfer({ validBefore });
    await viem.assertions.revertWithCustomErrorWithArgs(
      token.write.transferWithAuthorization(args),
      token,
      "ERC3009InvalidAuthorizationTime",
      [0n, validBefore],
    );
  });

  it("reverts an authorization that is not valid yet, and accepts it once it is", async () => {
    const { viem, networkHelpers, token, now, signTransfer } = await setup();
    const validAfter = (await now()) + 600n;
    const validBefore = validAfter + 600n;
    const { args } = await signTransfer({ validAfter, validBefore });
    await viem.assertions.revertWithCustomErrorWithArgs(
      token.write.transferWithAuthorization(args),
      token,
      "ERC3009InvalidAuthorizationTime",
      [validAfter, validBefore],
    );
    await networkHelpers.time.increaseTo(validAfter + 1n);
    await viem.assertions.emit(token.write.transferWithAuthorization(args), token, "AuthorizationUsed");
  });

  it("reverts a signature from someone other than `from`", async () => {
    const { viem, token, bob, signTransfer } = await setup();
    const { args } = await signTransfer({}, bob);
    await viem.assertions.revertWithCustomError(
      token.write.transferWithAuthorization(args),
      token,
      "ERC3009InvalidSignature",
    );
  });

  it("reverts when a signed field is altered by the submitter", async () => {
    const { viem, token, signTransfer } = await setup();
    const { args } = await signTransfer();
    const tampered = [...args] as unknown as typeof args;
    (tampered as unknown as unknown[])[2] = args[2] + 1n;
    await viem.assertions.revertWithCustomError(
      token.write.transferWithAuthorization(tampered),
      token,
      "ERC3009InvalidSignature",
    );
  });

  it("reverts when the payer lacks the balance", async () => {
    const { viem, token, alice, bob, signTransfer } = await setup();
    const balance = await token.read.balanceOf([alice.account.address]);
    const { args } = await signTransfer({ value: balance + 1n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      token.write.transferWithAuthorization(args),
      token,
      "ERC20InsufficientBalance",
      [getAddress(alice.account.address), balance, balance + 1n],
    );
    assert.equal(await token.read.balanceOf([bob.account.address]), 0n);
  });
});

describe("EIP-3009 cancelAuthorization", () => {
  it("cancels an unused authorization so it can never be used", async () => {
    const { viem, token, alice, domain, signTransfer } = await setup();
    const { message, args } = await signTransfer();
    const cancel = await alice.signTypedData({
      domain,
      types: cancelTypes,
      primaryType: "CancelAuthorization",
      message: { authorizer: alice.account.address, nonce: message.nonce },
    });
    const { v, r, s } = parseSignature(cancel);
    await viem.assertions.emitWithArgs(
      token.write.cancelAuthorization([alice.account.address, message.nonce, Number(v), r, s]),
      token,
      "AuthorizationCanceled",
      [getAddress(alice.account.address), message.nonce],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      token.write.transferWithAuthorization(args),
      token,
      "ERC3009UsedAuthorization",
      [getAddress(alice.account.address), message.nonce],
    );
  });

  it("refuses a cancellation signed by someone else", async () => {
    const { viem, token, alice, bob, domain } = await setup();
    const nonce = freshNonce();
    const cancel = await bob.signTypedData({
      domain,
      types: cancelTypes,
      primaryType: "CancelAuthorization",
      message: { authorizer: alice.account.address, nonce },
    });
    const { v, r, s } = parseSignature(cancel);
    await viem.assertions.revertWithCustomError(
      token.write.cancelAuthorization([alice.account.address, nonce, Number(v), r, s]),
      token,
      "ERC3009InvalidSignature",
    );
  });
});

describe("EIP-3009 receiveWithAuthorization", () => {
  it("lets only the payee submit it", async () => {
    const { viem, token, bob, relayer, signTransfer } = await setup();
    const { message, args } = await signTransfer({}, undefined, "ReceiveWithAuthorization");
    const asRelayer = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: relayer } });
    await viem.assertions.revertWithCustomErrorWithArgs(
      asRelayer.write.receiveWithAuthorization(args),
      token,
      "ERC20InvalidReceiver",
      [getAddress(bob.account.address)],
    );
    const asBob = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: bob } });
    await viem.assertions.emit(asBob.write.receiveWithAuthorization(args), token, "AuthorizationUsed");
    assert.equal(await token.read.balanceOf([bob.account.address]), message.value);
  });
});

describe("EIP-2612 permit", () => {
  async function signPermit(ctx: Awaited<ReturnType<typeof setup>>, deadline: bigint, signer = ctx.alice) {
    const message = {
      owner: ctx.alice.account.address,
      spender: ctx.bob.account.address,
      value: 7_000_000n,
      nonce: await ctx.token.read.nonces([ctx.alice.account.address]),
      deadline,
    };
    const { v, r, s } = parseSignature(
      await signer.signTypedData({ domain: ctx.domain, types: permitTypes, primaryType: "Permit", message }),
    );
    return [message.owner, message.spender, message.value, message.deadline, Number(v), r, s] as const;
  }

  it("sets the allowance from an off-chain signature and bumps the nonce", async () => {
    const ctx = await setup();
    const args = await signPermit(ctx, (await ctx.now()) + 600n);
    await ctx.viem.assertions.emitWithArgs(ctx.token.write.permit(args), ctx.token, "Approval", [
      getAddress(ctx.alice.account.address),
      getAddress(ctx.bob.account.address),
      7_000_000n,
    ]);
    assert.equal(await ctx.token.read.allowance([ctx.alice.account.address, ctx.bob.account.address]), 7_000_000n);
    assert.equal(await ctx.token.read.nonces([ctx.alice.account.address]), 1n);
    // A replayed permit recovers a different signer, because the signed nonce is spent.
    await ctx.viem.assertions.revertWithCustomError(ctx.token.write.permit(args), ctx.token, "ERC2612InvalidSigner");
  });

  it("rejects an expired permit", async () => {
    const ctx = await setup();
    const deadline = (await ctx.now()) - 1n;
    const args = await signPermit(ctx, deadline);
    await ctx.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.token.write.permit(args),
      ctx.token,
      "ERC2612ExpiredSignature",
      [deadline],
    );
  });

  it("rejects a permit signed by someone other than the owner", async () => {
    const ctx = await setup();
    const args = await signPermit(ctx, (await ctx.now()) + 600n, ctx.bob);
    await ctx.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.token.write.permit(args),
      ctx.token,
      "ERC2612InvalidSigner",
      [getAddress(ctx.bob.account.address), getAddress(ctx.alice.account.address)],
    );
  });
});

describe("faucet", () => {
  it("drips, enforces the cooldown, then the lifetime cap", async () => {
    const { viem, networkHelpers, token, bob } = await setup();
    const asBob = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: bob } });
    const bobAddress = getAddress(bob.account.address);

    await viem.assertions.emitWithArgs(asBob.write.faucet(), token, "FaucetDrip", [bobAddress, FAUCET.amount]);
    assert.equal(await token.read.balanceOf([bobAddress]), FAUCET.amount);
    const availableAt = await token.read.faucetAvailableAt([bobAddress]);
    await viem.assertions.revertWithCustomErrorWithArgs(asBob.write.faucet(), token, "FaucetCooldownActive", [
      bobAddress,
      availableAt,
    ]);

    await networkHelpers.time.increaseTo(availableAt);
    await asBob.write.faucet();
    assert.equal(await token.read.faucetClaimed([bobAddress]), 2n * FAUCET.amount);

    await networkHelpers.time.increase(FAUCET.cooldown);
    await viem.assertions.revertWithCustomErrorWithArgs(asBob.write.faucet(), token, "FaucetCapExceeded", [
      bobAddress,
      2n * FAUCET.amount,
      FAUCET.cap,
    ]);
    assert.equal(await token.read.balanceOf([bobAddress]), 2n * FAUCET.amount);
  });

  it("can be reconfigured and disabled by the owner only", async () => {
    const { viem, token, bob } = await setup();
    const asBob = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: bob } });
    await viem.assertions.revertWithCustomErrorWithArgs(
      asBob.write.configureFaucet([1n, 1n, 1n]),
      token,
      "OwnableUnauthorizedAccount",
      [getAddress(bob.account.address)],
    );
    await viem.assertions.emitWithArgs(token.write.configureFaucet([0n, 0n, 0n]), token, "FaucetConfigured", [
      0n,
      0n,
      0n,
    ]);
    await viem.assertions.revertWithCustomError(asBob.write.faucet(), token, "FaucetDisabled");
  });
});

describe("mint", () => {
  it("is reserved to the owner", async () => {
    const { viem, token, bob } = await setup();
    const asBob = await viem.getContractAt("X402TestUSD", token.address, { client: { wallet: bob } });
    await viem.assertions.revertWithCustomErrorWithArgs(
      asBob.write.mint([bob.account.address, 1n]),
      token,
      "OwnableUnauthorizedAccount",
      [getAddress(bob.account.address)],
    );
    await viem.assertions.emit(token.write.mint([bob.account.address, 5n]), token, "Transfer");
    assert.equal(await token.read.balanceOf([bob.account.address]), 5n);
  });
});
