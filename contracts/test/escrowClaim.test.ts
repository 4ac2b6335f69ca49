// Claims: direct and by a receiver-authorizer-signed batch; over-claims, forged and replayed vouchers.
// Against wg402's implementation at its canonical address with the project's EIP-3009 test token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimBatchTypes } from "@x402/evm";
import { encodeFunctionData, getAddress, hashTypedData, zeroAddress } from "viem";
import {
  DEPOSIT,
  escrowDomain,
  escrowFixture,
  receiptOf,
  signClaimBatch,
  signVoucher,
} from "../testing/escrowFixture.ts";

describe("claim", () => {
  it("raises totalClaimed and the receiver's claimed total; moves no tokens", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const claim = await f.voucherClaim(c, 3_000n, 2_500n);
    await f.viem.assertions.emitWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[claim]]),
      f.escrow,
      "Claimed",
      [id, getAddress(f.receiverAuthorizer.account.address), 2_500n, 2_500n],
    );
    assert.deepEqual(await f.escrow.read.channels([id]), [DEPOSIT, 2_500n]);
    assert.deepEqual(await f.escrow.read.receivers([c.receiver, c.token]), [2_500n, 0n]);
    assert.equal(await f.balanceOf(f.escrow.address), DEPOSIT);
    // A later voucher raises it further, by the difference.
    const later = await f.voucherClaim(c, 4_000n);
    await f.viem.assertions.emitWithArgs((await f.escrowAs(f.receiver)).write.claim([[later]]), f.escrow, "Claimed", [
      id,
      getAddress(f.receiver.account.address),
      1_500n,
      4_000n,
    ]);
    assert.deepEqual(await f.escrow.read.receivers([c.receiver, c.token]), [4_000n, 0n]);
  });

  it("refuses a caller who is neither the receiver nor the receiver authorizer", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const claim = await f.voucherClaim(c, 1_000n);
    for (const who of [f.stranger, f.payer]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.escrowAs(who)).write.claim([[claim]]),
        f.escrow,
        "NotAuthorizedToClaim",
        [f.channelId(c), getAddress(who.account.address)],
      );
    }
  });

  it("refuses an over-claim beyond the voucher's ceiling", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const claim = await f.voucherClaim(c, 1_000n, 1_001n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[claim]]),
      f.escrow,
      "ClaimExceedsCeiling",
      [f.channelId(c), 1_001n, 1_000n],
    );
  });

  it("refuses a claim beyond the channel's balance even under a larger voucher", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c, 1_000n);
    const claim = await f.voucherClaim(c, 5_000n, 1_001n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[claim]]),
      f.escrow,
      "ClaimExceedsBalance",
      [f.channelId(c), 1_001n, 1_000n],
    );
  });

  it("treats a replayed or older voucher as a no-op", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const older = await f.voucherClaim(c, 1_000n);
    const newer = await f.voucherClaim(c, 2_000n);
    const asAuthorizer = await f.escrowAs(f.receiverAuthorizer);
    await asAuthorizer.write.claim([[newer]]);
    const receipt = await receiptOf(f, asAuthorizer.write.claim([[older, newer]]));
    assert.equal(receipt.logs.length, 0);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(c)]), [DEPOSIT, 2_000n]);
    assert.deepEqual(await f.escrow.read.receivers([c.receiver, c.token]), [2_000n, 0n]);
  });

  it("refuses a voucher signed by anyone but the payer authorizer", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const forged = {
      voucher: { channel: c, maxClaimableAmount: 1_000n },
      signature: await signVoucher(f.receiverAuthorizer, f.channelId(c), 1_000n),
      totalClaimed: 1_000n,
    };
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[forged]]),
      f.escrow,
      "InvalidVoucherSignature",
      [f.channelId(c), c.payerAuthorizer],
    );
    // A malformed signature is refused the same way, not with a panic.
    await f.viem.assertions.revertWithCustomError(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[{ ...forged, signature: "0x1234" }]]),
      f.escrow,
      "InvalidVoucherSignature",
    );
  });

  it("refuses a voucher replayed on another channel of the same payer (the digest binds the channel id)", async () => {
    const f = await escrowFixture();
    const a = f.config();
    const b = f.config();
    await f.deposit(a);
    await f.deposit(b);
    const forA = await f.voucherClaim(a, 1_000n);
    const onB = { ...forA, voucher: { ...forA.voucher, channel: b } };
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[onB]]),
      f.escrow,
      "InvalidVoucherSignature",
      [f.channelId(b), b.payerAuthorizer],
    );
  });

  it("verifies vouchers against the payer when there is no payer authorizer: an EOA, or an ERC-1271 wallet", async () => {
    const f = await escrowFixture();
    const c = f.config({ payerAuthorizer: zeroAddress });
    await f.deposit(c);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 1_000n)]]);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(c)]), [DEPOSIT, 1_000n]);

    // A smart-wallet payer, funded by a pull collector (its deposit needs no EIP-3009 signature).
    const wallet = await f.viem.deployContract("MockERC1271Wallet", [f.payerAuthorizer.address]);
    const pull = await f.viem.deployContract("PullCollector");
    await f.token.write.mint([wallet.address, DEPOSIT]);
    const approve = encodeFunctionData({ abi: f.token.abi, functionName: "approve", args: [pull.address, DEPOSIT] });
    // The owner EOA is a local account without gas; impersonate it for the one call it makes.
    await f.networkHelpers.impersonateAccount(f.payerAuthorizer.address);
    await f.networkHelpers.setBalance(f.payerAuthorizer.address, 10n ** 18n);
    const ownerClient = await f.viem.getWalletClient(f.payerAuthorizer.address);
    await (
      await f.viem.getContractAt("MockERC1271Wallet", wallet.address, { client: { wallet: ownerClient } })
    ).write.execute([f.token.address, approve]);
    const sc = f.config({ payer: getAddress(wallet.address), payerAuthorizer: zeroAddress });
    await f.escrow.write.deposit([sc, DEPOSIT, pull.address, "0x"]);
    const signed = await signVoucher(f.payerAuthorizer, f.channelId(sc), 2_000n);
    const row = { voucher: { channel: sc, maxClaimableAmount: 2_000n }, signature: signed, totalClaimed: 2_000n };
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[row]]);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(sc)]), [DEPOSIT, 2_000n]);
    const wrong = { ...row, totalClaimed: 3_000n, voucher: { ...row.voucher, maxClaimableAmount: 3_000n } };
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[wrong]]),
      f.escrow,
      "InvalidVoucherSignature",
      [f.channelId(sc), getAddress(wallet.address)],
    );
  });

  it("refuses an empty batch", async () => {
    const f = await escrowFixture();
    await f.viem.assertions.revertWithCustomError(f.escrow.write.claim([[]]), f.escrow, "EmptyBatch");
    await f.viem.assertions.revertWithCustomError(
      f.escrow.write.claimWithSignature([[], "0x"]),
      f.escrow,
      "EmptyBatch",
    );
  });

  it("credits each receiver its own rows in a mixed batch (A, B, A)", async () => {
    const f = await escrowFixture();
    const otherReceiver = getAddress(f.stranger.account.address);
    const a1 = f.config();
    const b = f.config({ receiver: otherReceiver });
    const a2 = f.config();
    for (const c of [a1, b, a2]) await f.deposit(c);
    const rows = [await f.voucherClaim(a1, 100n), await f.voucherClaim(b, 20n), await f.voucherClaim(a2, 3n)];
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([rows]);
    assert.deepEqual(await f.escrow.read.receivers([a1.receiver, a1.token]), [103n, 0n]);
    assert.deepEqual(await f.escrow.read.receivers([otherReceiver, b.token]), [20n, 0n]);
  });
});

describe("claimWithSignature", () => {
  it("takes a batch over several channels from any relayer, with one receiver-authorizer signature", async () => {
    const f = await escrowFixture();
    const channels = [f.config(), f.config(), f.config()];
    for (const c of channels) await f.deposit(c);
    const rows = await Promise.all(channels.map((c, i) => f.voucherClaim(c, BigInt(1_000 * (i + 1)))));
    const signature = await signClaimBatch(f.receiverAuthorizer, rows);
    // The digest the contract checks is the SDK's EIP-712 digest.
    const digest = await f.escrow.read.getClaimBatchDigest([rows]);
    assert.equal(
      digest,
      hashTypedData({
        domain: escrowDomain(),
        types: claimBatchTypes,
        primaryType: "ClaimBatch",
        message: {
          claims: rows.map((row) => ({
            channelId: f.channelId(row.voucher.channel),
            maxClaimableAmount: row.voucher.maxClaimableAmount,
            totalClaimed: row.totalClaimed,
          })),
        },
      }),
    );
    await (await f.escrowAs(f.stranger)).write.claimWithSignature([rows, signature]);
    const [first] = channels;
    assert(first);
    assert.deepEqual(await f.escrow.read.receivers([first.receiver, first.token]), [6_000n, 0n]);
  });

  it("refuses a batch not signed by the receiver authorizer, and a batch altered after signing", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const row = await f.voucherClaim(c, 1_000n);
    const bySomeoneElse = await signClaimBatch(f.stranger, [row]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.claimWithSignature([[row], bySomeoneElse]),
      f.escrow,
      "InvalidAuthorizerSignature",
      [c.receiverAuthorizer],
    );
    const signed = await signClaimBatch(f.receiverAuthorizer, [{ ...row, totalClaimed: 500n }]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.claimWithSignature([[row], signed]),
      f.escrow,
      "InvalidAuthorizerSignature",
      [c.receiverAuthorizer],
    );
    // A payer-signed voucher is no authorization for the batch (distinct type hashes).
    await f.viem.assertions.revertWithCustomError(
      f.escrow.write.claimWithSignature([[row], row.signature]),
      f.escrow,
      "InvalidAuthorizerSignature",
    );
  });

  it("refuses rows whose channels have another receiver authorizer than the first row", async () => {
    const f = await escrowFixture();
    const mine = f.config();
    const foreign = f.config({ receiverAuthorizer: getAddress(f.stranger.account.address) });
    await f.deposit(mine);
    await f.deposit(foreign);
    const rows = [await f.voucherClaim(mine, 10n), await f.voucherClaim(foreign, 10n)];
    const signature = await signClaimBatch(f.receiverAuthorizer, rows);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.claimWithSignature([rows, signature]),
      f.escrow,
      "ReceiverAuthorizerMismatch",
      [1n, mine.receiverAuthorizer, foreign.receiverAuthorizer],
    );
  });

  it("is idempotent: the same signed batch submitted twice claims once", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const rows = [await f.voucherClaim(c, 1_000n)];
    const signature = await signClaimBatch(f.receiverAuthorizer, rows);
    await f.escrow.write.claimWithSignature([rows, signature]);
    await f.escrow.write.claimWithSignature([rows, signature]);
    assert.deepEqual(await f.escrow.read.receivers([c.receiver, c.token]), [1_000n, 0n]);
  });
});
