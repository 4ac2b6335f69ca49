// X402TestUSD: EIP-2612 permit, the rate-limited faucet and owner-only mint.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, parseSignature } from "viem";
import { FAUCET, permitTypes, setup } from "../testing/tokenFixture.ts";

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
