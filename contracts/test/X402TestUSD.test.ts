// X402TestUSD: what x402 reads of it, and EIP-3009 in every path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, parseSignature } from "viem";
import { cancelTypes, freshNonce, setup } from "../testing/tokenFixture.ts";

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
