// Settle, and cooperative refunds: direct, relayed by signature, nonce replay, against a pending withdrawal.
// Against wg402's implementation at its canonical address with the project's EIP-3009 test token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refundTypes } from "@x402/evm";
import { encodeFunctionData, getAddress, hashTypedData } from "viem";
import {
  DEPOSIT,
  escrowDomain,
  escrowFixture,
  MIN_DELAY,
  receiptOf,
  signClaimBatch,
  signRefund,
} from "../testing/escrowFixture.ts";

describe("settle", () => {
  it("sends everything claimed and not yet settled for (receiver, token) in one transfer, to the receiver only", async () => {
    const f = await escrowFixture();
    const a = f.config();
    const b = f.config();
    await f.deposit(a);
    await f.deposit(b);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([
      [await f.voucherClaim(a, 700n), await f.voucherClaim(b, 300n)],
    ]);
    const receipt = await receiptOf(f, (await f.escrowAs(f.stranger)).write.settle([a.receiver, a.token]));
    const transfers = receipt.logs.filter((log) => log.address.toLowerCase() === f.token.address.toLowerCase());
    assert.equal(transfers.length, 1);
    assert.equal(await f.balanceOf(a.receiver), 1_000n);
    assert.deepEqual(await f.escrow.read.receivers([a.receiver, a.token]), [1_000n, 1_000n]);
    // The escrow keeps the claimed part in the channel's balance; only its token holdings fell.
    assert.deepEqual(await f.escrow.read.channels([f.channelId(a)]), [DEPOSIT, 700n]);
    assert.equal(await f.balanceOf(f.escrow.address), 2n * DEPOSIT - 1_000n);
  });

  it("emits Settled with the sender, and is a silent no-op when nothing is due", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 42n)]]);
    await f.viem.assertions.emitWithArgs(f.escrow.write.settle([c.receiver, c.token]), f.escrow, "Settled", [
      c.receiver,
      c.token,
      getAddress(f.deployer.account.address),
      42n,
    ]);
    const again = await receiptOf(f, f.escrow.write.settle([c.receiver, c.token]));
    assert.equal(again.logs.length, 0);
    assert.equal(await f.balanceOf(c.receiver), 42n);
  });
});

describe("cooperative refund", () => {
  it("returns unclaimed escrow to the payer at once, capped to what is unclaimed, and advances the nonce", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 1_000n)]]);
    const before = await f.balanceOf(c.payer);
    await f.viem.assertions.emitWithArgs(
      (await f.escrowAs(f.receiver)).write.refund([c, DEPOSIT]),
      f.escrow,
      "Refunded",
      [id, getAddress(f.receiver.account.address), DEPOSIT - 1_000n],
    );
    assert.equal(await f.balanceOf(c.payer), before + DEPOSIT - 1_000n);
    assert.deepEqual(await f.escrow.read.channels([id]), [1_000n, 1_000n]);
    assert.equal(await f.escrow.read.refundNonce([id]), 1n);
    // The claimed part is still the receiver's.
    await f.escrow.write.settle([c.receiver, c.token]);
    assert.equal(await f.balanceOf(c.receiver), 1_000n);
  });

  it("refuses callers other than the receiver side, and a zero amount", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    for (const who of [f.payer, f.stranger]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.escrowAs(who)).write.refund([c, 1n]),
        f.escrow,
        "NotAuthorizedToRefund",
        [f.channelId(c), getAddress(who.account.address)],
      );
    }
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiver)).write.refund([c, 0n]),
      f.escrow,
      "ZeroRefund",
      [f.channelId(c)],
    );
  });

  it("advances the nonce even when nothing is left to refund (no Refunded event, no transfer)", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c, 1_000n);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 1_000n)]]);
    const receipt = await receiptOf(f, (await f.escrowAs(f.receiver)).write.refund([c, 5n]));
    assert.equal(receipt.logs.length, 0);
    assert.equal(await f.escrow.read.refundNonce([f.channelId(c)]), 1n);
  });

  it("accepts a relayed refund signed by the receiver authorizer, once (nonce replay refused)", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const signature = await signRefund(f.receiverAuthorizer, id, 0n, 40_000_000n);
    assert.equal(
      await f.escrow.read.getRefundDigest([id, 0n, 40_000_000n]),
      hashTypedData({
        domain: escrowDomain(),
        types: refundTypes,
        primaryType: "Refund",
        message: { channelId: id, nonce: 0n, amount: 40_000_000n },
      }),
    );
    const before = await f.balanceOf(c.payer);
    await (await f.escrowAs(f.stranger)).write.refundWithSignature([c, 40_000_000n, 0n, signature]);
    assert.equal(await f.balanceOf(c.payer), before + 40_000_000n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.stranger)).write.refundWithSignature([c, 40_000_000n, 0n, signature]),
      f.escrow,
      "InvalidRefundNonce",
      [id, 1n, 0n],
    );
  });

  it("refuses a refund signature from anyone else, or for another amount", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const bySomeoneElse = await signRefund(f.stranger, id, 0n, 10n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.refundWithSignature([c, 10n, 0n, bySomeoneElse]),
      f.escrow,
      "InvalidRefundSignature",
      [id, c.receiverAuthorizer],
    );
    const forTen = await signRefund(f.receiverAuthorizer, id, 0n, 10n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.refundWithSignature([c, DEPOSIT, 0n, forTen]),
      f.escrow,
      "InvalidRefundSignature",
      [id, c.receiverAuthorizer],
    );
    assert.equal(await f.escrow.read.refundNonce([id]), 0n);
  });

  it("lets a direct refund invalidate a pre-signed one", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const preSigned = await signRefund(f.receiverAuthorizer, id, 0n, DEPOSIT);
    await (await f.escrowAs(f.receiverAuthorizer)).write.refund([c, 1n]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.refundWithSignature([c, DEPOSIT, 0n, preSigned]),
      f.escrow,
      "InvalidRefundNonce",
      [id, 1n, 0n],
    );
  });

  it("reduces a pending withdrawal by what it refunds, and cancels one it covers", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const asPayer = await f.escrowAs(f.payer);
    await asPayer.write.initiateWithdraw([c, 60_000_000n]);
    const initiatedAt = (await f.escrow.read.pendingWithdrawals([id]))[1];
    await (await f.escrowAs(f.receiver)).write.refund([c, 25_000_000n]);
    assert.deepEqual(await f.escrow.read.pendingWithdrawals([id]), [35_000_000n, initiatedAt]);
    await f.networkHelpers.time.increase(MIN_DELAY);
    const before = await f.balanceOf(c.payer);
    await asPayer.write.finalizeWithdraw([c]);
    assert.equal(await f.balanceOf(c.payer), before + 35_000_000n);
    assert.deepEqual(await f.escrow.read.channels([id]), [40_000_000n, 0n]);

    await asPayer.write.initiateWithdraw([c, 10_000_000n]);
    await (await f.escrowAs(f.receiver)).write.refund([c, 10_000_000n]);
    assert.deepEqual(await f.escrow.read.pendingWithdrawals([id]), [0n, 0]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asPayer.write.finalizeWithdraw([c]),
      f.escrow,
      "WithdrawalNotPending",
      [id],
    );
  });

  it("runs with a claim in one multicall, as the SDK's facilitator submits a refund", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const rows = [await f.voucherClaim(c, 3_200n)];
    const claimData = encodeFunctionData({
      abi: f.escrow.abi,
      functionName: "claimWithSignature",
      args: [rows, await signClaimBatch(f.receiverAuthorizer, rows)],
    });
    const refundData = encodeFunctionData({
      abi: f.escrow.abi,
      functionName: "refundWithSignature",
      args: [c, DEPOSIT, 0n, await signRefund(f.receiverAuthorizer, id, 0n, DEPOSIT)],
    });
    await (await f.escrowAs(f.stranger)).write.multicall([[claimData, refundData]]);
    assert.deepEqual(await f.escrow.read.channels([id]), [3_200n, 3_200n]);
    assert.equal(await f.escrow.read.refundNonce([id]), 1n);
  });
});
