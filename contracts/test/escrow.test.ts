// Every path of the batch-settlement escrow and every attack on it that the spec names or that we could think of,
// against wg402's implementation at its canonical address with the project's EIP-3009 test token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimBatchTypes, refundTypes, voucherTypes } from "@x402/evm";
import {
  decodeAbiParameters,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  hashTypedData,
  maxUint128,
  zeroAddress,
} from "viem";
import {
  CHAIN_ID,
  type ChannelConfig,
  DEPOSIT,
  depositNonce,
  escrowDomain,
  escrowFixture,
  MAX_DELAY,
  MIN_DELAY,
  signClaimBatch,
  signRefund,
  signVoucher,
} from "../testing/escrowFixture.ts";

const receiptOf = async (f: Awaited<ReturnType<typeof escrowFixture>>, hash: Promise<Hex>) =>
  f.publicClient.waitForTransactionReceipt({ hash: await hash });

describe("deposit through the ERC-3009 collector", () => {
  it("is gasless for the payer: a relayer submits, the payer's tokens arrive, ChannelCreated then Deposited", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    const payerEth = await f.publicClient.getBalance({ address: c.payer });
    const payerTokens = await f.balanceOf(c.payer);
    const collectorData = await f.signDeposit(c, DEPOSIT);
    const relayed = (await f.escrowAs(f.relayer)).write.deposit([
      c,
      DEPOSIT,
      f.addresses.depositCollector,
      collectorData,
    ]);
    await f.viem.assertions.emitWithArgs(relayed, f.escrow, "Deposited", [
      id,
      getAddress(f.relayer.account.address),
      DEPOSIT,
      DEPOSIT,
    ]);
    assert.equal(await f.publicClient.getBalance({ address: c.payer }), payerEth);
    assert.equal(await f.balanceOf(c.payer), payerTokens - DEPOSIT);
    assert.equal(await f.balanceOf(f.escrow.address), DEPOSIT);
    assert.equal(await f.balanceOf(f.collector.address), 0n);
    assert.deepEqual(await f.escrow.read.channels([id]), [DEPOSIT, 0n]);
  });

  it("emits ChannelCreated with the config on the first deposit only; a top-up adds to the balance", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    const first = await f.signDeposit(c, DEPOSIT);
    await f.viem.assertions.emitWithArgs(
      f.escrow.write.deposit([c, DEPOSIT, f.addresses.depositCollector, first]),
      f.escrow,
      "ChannelCreated",
      [id, c],
    );
    const topUp = await f.signDeposit(c, 5n);
    const receipt = await receiptOf(f, f.escrow.write.deposit([c, 5n, f.addresses.depositCollector, topUp]));
    const created = f.escrow.abi.find((item) => item.type === "event" && item.name === "ChannelCreated");
    assert(created);
    assert.equal(receipt.logs.filter((log) => log.address.toLowerCase() === f.escrow.address.toLowerCase()).length, 1);
    assert.deepEqual(await f.escrow.read.channels([id]), [DEPOSIT + 5n, 0n]);
  });

  it("fires ChannelCreated again when a drained channel is funded again (after ChannelClosed)", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    await f.viem.assertions.emitWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.refund([c, DEPOSIT]),
      f.escrow,
      "ChannelClosed",
      [id, c],
    );
    assert.deepEqual(await f.escrow.read.channels([id]), [0n, 0n]);
    const again = await f.signDeposit(c, 7n);
    await f.viem.assertions.emitWithArgs(
      f.escrow.write.deposit([c, 7n, f.addresses.depositCollector, again]),
      f.escrow,
      "ChannelCreated",
      [id, c],
    );
  });

  it("refuses a relayed authorization redirected to another channel (the nonce binds the channel)", async () => {
    const f = await escrowFixture();
    const mine = f.config();
    const theirs = f.config({ receiver: getAddress(f.stranger.account.address), salt: mine.salt });
    const collectorData = await f.signDeposit(mine, DEPOSIT);
    const before = await f.balanceOf(mine.payer);
    // Same authorization, submitted for a channel whose receiver is the attacker.
    await f.viem.assertions.revertWithCustomError(
      (await f.escrowAs(f.stranger)).write.deposit([theirs, DEPOSIT, f.addresses.depositCollector, collectorData]),
      f.token,
      "ERC3009InvalidSignature",
    );
    // Same channel, but another salt in the collector data: the nonce no longer matches what was signed.
    const [validAfter, validBefore, , signature] = decodeCollectorData(collectorData);
    const resalted = encodeCollectorData(validAfter, validBefore, 12345n, signature);
    await f.viem.assertions.revertWithCustomError(
      f.escrow.write.deposit([mine, DEPOSIT, f.addresses.depositCollector, resalted]),
      f.token,
      "ERC3009InvalidSignature",
    );
    assert.equal(await f.balanceOf(mine.payer), before);
    // And the genuine deposit still goes through.
    await f.escrow.write.deposit([mine, DEPOSIT, f.addresses.depositCollector, collectorData]);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(mine)]), [DEPOSIT, 0n]);
  });

  it("refuses a deposit for a config naming someone else as payer, with the victim's authorization", async () => {
    const f = await escrowFixture();
    const victimChannel = f.config();
    const collectorData = await f.signDeposit(victimChannel, DEPOSIT);
    const forged = f.config({ payer: getAddress(f.stranger.account.address), salt: victimChannel.salt });
    await f.viem.assertions.revertWithCustomError(
      f.escrow.write.deposit([forged, DEPOSIT, f.addresses.depositCollector, collectorData]),
      f.token,
      "ERC3009InvalidSignature",
    );
  });

  it("refuses a replayed deposit authorization", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const collectorData = await f.signDeposit(c, DEPOSIT);
    await f.escrow.write.deposit([c, DEPOSIT, f.addresses.depositCollector, collectorData]);
    await f.viem.assertions.revertWithCustomError(
      f.escrow.write.deposit([c, DEPOSIT, f.addresses.depositCollector, collectorData]),
      f.token,
      "ERC3009UsedAuthorization",
    );
  });

  it("lets only the escrow call the collector, so a leaked authorization cannot be pulled elsewhere", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const collectorData = await f.signDeposit(c, DEPOSIT);
    const asStranger = await f.viem.getContractAt("ERC3009DepositCollector", f.collector.address, {
      client: { wallet: f.stranger },
    });
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asStranger.write.collect([c.payer, c.token, DEPOSIT, f.channelId(c), collectorData]),
      f.collector,
      "OnlyX402BatchSettlement",
      [getAddress(f.stranger.account.address)],
    );
    assert.equal(getAddress(await f.collector.read.x402BatchSettlement()), f.addresses.batchSettlement);
    assert.equal(await f.collector.read.depositNonce([f.channelId(c), 7n]), depositNonce(f.channelId(c), 7n));
  });

  it("takes withdrawDelay from 15 minutes to 30 days and nothing outside", async () => {
    const f = await escrowFixture();
    for (const withdrawDelay of [MIN_DELAY - 1, MAX_DELAY + 1, 0]) {
      const c = f.config({ withdrawDelay });
      const collectorData = await f.signDeposit(c, 1n);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.deposit([c, 1n, f.addresses.depositCollector, collectorData]),
        f.escrow,
        "WithdrawDelayOutOfRange",
        [withdrawDelay, MIN_DELAY, MAX_DELAY],
      );
    }
    for (const withdrawDelay of [MIN_DELAY, MAX_DELAY]) {
      await f.deposit(f.config({ withdrawDelay }), 1n);
    }
    assert.equal(await f.escrow.read.MIN_WITHDRAW_DELAY(), MIN_DELAY);
    assert.equal(await f.escrow.read.MAX_WITHDRAW_DELAY(), MAX_DELAY);
  });

  it("refuses a config with a zero party or token, a zero amount and a collector without code", async () => {
    const f = await escrowFixture();
    for (const field of ["payer", "receiver", "receiverAuthorizer", "token"] as const) {
      const c = f.config({ [field]: zeroAddress });
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        f.escrow.write.deposit([c, 1n, f.addresses.depositCollector, "0x"]),
        f.escrow,
        "InvalidChannelConfig",
        [c.payer, c.receiver, c.receiverAuthorizer, c.token],
      );
    }
    const c = f.config();
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.deposit([c, 0n, f.addresses.depositCollector, "0x"]),
      f.escrow,
      "ZeroDeposit",
      [f.channelId(c)],
    );
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.deposit([c, 1n, c.receiver, "0x"]),
      f.escrow,
      "InvalidCollector",
      [c.receiver],
    );
  });

  it("credits nothing when a collector delivers less than the amount", async () => {
    const f = await escrowFixture();
    const liar = await f.viem.deployContract("MisbehavingCollector");
    await f.token.write.mint([liar.address, DEPOSIT]);
    await liar.write.configure([1n, "0x"]);
    const c = f.config();
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.deposit([c, DEPOSIT, liar.address, "0x"]),
      f.escrow,
      "DepositCollectionFailed",
      [f.channelId(c), DEPOSIT, DEPOSIT - 1n],
    );
    await liar.write.configure([DEPOSIT, "0x"]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.deposit([c, DEPOSIT, liar.address, "0x"]),
      f.escrow,
      "DepositCollectionFailed",
      [f.channelId(c), DEPOSIT, 0n],
    );
  });

  it("refuses a balance past uint128", async () => {
    const f = await escrowFixture();
    const pull = await f.viem.deployContract("PullCollector");
    await f.token.write.mint([f.payer.account.address, maxUint128]);
    await (await f.viem.getContractAt("X402TestUSD", f.token.address, { client: { wallet: f.payer } })).write.approve([
      pull.address,
      2n ** 255n,
    ]);
    const c = f.config();
    await f.escrow.write.deposit([c, maxUint128 - 1n, pull.address, "0x"]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.escrow.write.deposit([c, 2n, pull.address, "0x"]),
      f.escrow,
      "DepositOverflow",
      [f.channelId(c), maxUint128 - 1n, 2n],
    );
    await f.escrow.write.deposit([c, 1n, pull.address, "0x"]);
  });
});

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

describe("timed withdrawal", () => {
  it("is the payer's (or payer authorizer's) alone, and needs a non-zero amount within the unclaimed escrow", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    for (const who of [f.receiver, f.receiverAuthorizer, f.stranger]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.escrowAs(who)).write.initiateWithdraw([c, 1n]),
        f.escrow,
        "NotPayer",
        [id, getAddress(who.account.address)],
      );
    }
    const asPayer = await f.escrowAs(f.payer);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asPayer.write.initiateWithdraw([c, 0n]),
      f.escrow,
      "ZeroWithdraw",
      [id],
    );
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 1_000n)]]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asPayer.write.initiateWithdraw([c, DEPOSIT]),
      f.escrow,
      "WithdrawAmountExceedsAvailable",
      [id, DEPOSIT, DEPOSIT - 1_000n],
    );
    // The payer authorizer may start it too (it signs vouchers, so it is the payer's key).
    await f.networkHelpers.impersonateAccount(f.payerAuthorizer.address);
    await f.networkHelpers.setBalance(f.payerAuthorizer.address, 10n ** 18n);
    const asAuthorizer = await f.escrowAs(await f.viem.getWalletClient(f.payerAuthorizer.address));
    const start = (await f.now()) + 1n;
    await f.viem.assertions.emitWithArgs(asAuthorizer.write.initiateWithdraw([c, 5n]), f.escrow, "WithdrawInitiated", [
      id,
      5n,
      Number(start) + MIN_DELAY,
    ]);
    await f.viem.assertions.revertWithCustomError(
      asPayer.write.initiateWithdraw([c, 5n]),
      f.escrow,
      "WithdrawalAlreadyPending",
    );
  });

  it("cannot be finalized before the delay, and can be at the delay", async () => {
    const f = await escrowFixture();
    const c = f.config({ withdrawDelay: 3_600 });
    const id = f.channelId(c);
    await f.deposit(c);
    const asPayer = await f.escrowAs(f.payer);
    await asPayer.write.initiateWithdraw([c, DEPOSIT]);
    const [, initiatedAt] = await f.escrow.read.pendingWithdrawals([id]);
    const finalizeAfter = BigInt(initiatedAt) + 3_600n;
    await f.networkHelpers.time.setNextBlockTimestamp(finalizeAfter - 1n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asPayer.write.finalizeWithdraw([c]),
      f.escrow,
      "WithdrawDelayNotElapsed",
      [id, finalizeAfter],
    );
    await f.networkHelpers.time.setNextBlockTimestamp(finalizeAfter);
    const before = await f.balanceOf(c.payer);
    await f.viem.assertions.emitWithArgs(asPayer.write.finalizeWithdraw([c]), f.escrow, "ChannelClosed", [id, c]);
    assert.equal(await f.balanceOf(c.payer), before + DEPOSIT);
    assert.deepEqual(await f.escrow.read.channels([id]), [0n, 0n]);
    assert.deepEqual(await f.escrow.read.pendingWithdrawals([id]), [0n, 0]);
  });

  it("lets the node claim during the delay; finalizing then transfers only what is left unclaimed", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    const asPayer = await f.escrowAs(f.payer);
    await asPayer.write.initiateWithdraw([c, DEPOSIT]);
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 30_000_000n)]]);
    await f.networkHelpers.time.increase(MIN_DELAY);
    const before = await f.balanceOf(c.payer);
    await f.viem.assertions.emitWithArgs(asPayer.write.finalizeWithdraw([c]), f.escrow, "WithdrawFinalized", [
      id,
      getAddress(f.payer.account.address),
      70_000_000n,
    ]);
    assert.equal(await f.balanceOf(c.payer), before + 70_000_000n);
    assert.deepEqual(await f.escrow.read.channels([id]), [30_000_000n, 30_000_000n]);
    await f.escrow.write.settle([c.receiver, c.token]);
    assert.equal(await f.balanceOf(c.receiver), 30_000_000n);
    assert.equal(await f.balanceOf(f.escrow.address), 0n);
  });

  it("leaves a voucher that was not claimed in time unclaimable (the known open problem)", async () => {
    const f = await escrowFixture();
    const c = f.config();
    await f.deposit(c);
    const late = await f.voucherClaim(c, 30_000_000n);
    const asPayer = await f.escrowAs(f.payer);
    await asPayer.write.initiateWithdraw([c, DEPOSIT]);
    await f.networkHelpers.time.increase(MIN_DELAY);
    await asPayer.write.finalizeWithdraw([c]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiverAuthorizer)).write.claim([[late]]),
      f.escrow,
      "ClaimExceedsBalance",
      [f.channelId(c), 30_000_000n, 0n],
    );
  });

  it("refuses a finalize with nothing pending, and one by anyone but the payer side", async () => {
    const f = await escrowFixture();
    const c = f.config();
    const id = f.channelId(c);
    await f.deposit(c);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.payer)).write.finalizeWithdraw([c]),
      f.escrow,
      "WithdrawalNotPending",
      [id],
    );
    await (await f.escrowAs(f.payer)).write.initiateWithdraw([c, 1n]);
    await f.networkHelpers.time.increase(MIN_DELAY);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.escrowAs(f.receiver)).write.finalizeWithdraw([c]),
      f.escrow,
      "NotPayer",
      [id, getAddress(f.receiver.account.address)],
    );
  });
});

describe("reentrancy through a malicious token", () => {
  async function reentrantChannel() {
    const f = await escrowFixture();
    const evil = await f.viem.deployContract("ReentrantToken");
    const pull = await f.viem.deployContract("PullCollector");
    await evil.write.mint([f.payer.account.address, 10n * DEPOSIT]);
    await (await f.viem.getContractAt("ReentrantToken", evil.address, { client: { wallet: f.payer } })).write.approve([
      pull.address,
      10n * DEPOSIT,
    ]);
    const c: ChannelConfig = f.config({
      token: getAddress(evil.address),
      receiver: getAddress(f.receiver.account.address),
    });
    await f.escrow.write.deposit([c, DEPOSIT, pull.address, "0x"]);
    return { f, evil, c };
  }

  /** The token tried to re-enter, and the escrow answered ReentrancyGuardReentrantCall() (0x3ee5aeb5). */
  const reentryRefused = async (evil: Awaited<ReturnType<typeof reentrantChannel>>["evil"]) => {
    assert.equal(await evil.read.reentryAttempted(), true);
    assert.equal(await evil.read.reentrySucceeded(), false);
    assert.equal(await evil.read.reentryResult(), "0x3ee5aeb5");
  };

  it("cannot settle twice from inside settle's transfer", async () => {
    const { f, evil, c } = await reentrantChannel();
    await (await f.escrowAs(f.receiverAuthorizer)).write.claim([[await f.voucherClaim(c, 1_000n)]]);
    await evil.write.arm([
      f.escrow.address,
      encodeFunctionData({ abi: f.escrow.abi, functionName: "settle", args: [c.receiver, c.token] }),
    ]);
    await f.escrow.write.settle([c.receiver, c.token]);
    await reentryRefused(evil);
    assert.equal(await evil.read.balanceOf([c.receiver]), 1_000n);
    assert.deepEqual(await f.escrow.read.receivers([c.receiver, c.token]), [1_000n, 1_000n]);
  });

  it("cannot refund again from inside a refund's transfer, directly or through multicall", async () => {
    const { f, evil, c } = await reentrantChannel();
    const refundAgain = encodeFunctionData({ abi: f.escrow.abi, functionName: "refund", args: [c, DEPOSIT] });
    await evil.write.arm([f.escrow.address, refundAgain]);
    await (await f.escrowAs(f.receiver)).write.refund([c, 10n]);
    await reentryRefused(evil);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(c)]), [DEPOSIT - 10n, 0n]);

    const viaMulticall = encodeFunctionData({ abi: f.escrow.abi, functionName: "multicall", args: [[refundAgain]] });
    await evil.write.arm([f.escrow.address, viaMulticall]);
    await (await f.escrowAs(f.receiver)).write.refund([c, 10n]);
    await reentryRefused(evil);
    assert.equal(await evil.read.balanceOf([f.escrow.address]), DEPOSIT - 20n);
  });

  it("cannot finalize a withdrawal twice from inside its transfer", async () => {
    const { f, evil, c } = await reentrantChannel();
    const asPayer = await f.escrowAs(f.payer);
    await asPayer.write.initiateWithdraw([c, 50n]);
    await f.networkHelpers.time.increase(MIN_DELAY);
    await evil.write.arm([
      f.escrow.address,
      encodeFunctionData({ abi: f.escrow.abi, functionName: "finalizeWithdraw", args: [c] }),
    ]);
    await asPayer.write.finalizeWithdraw([c]);
    await reentryRefused(evil);
    assert.deepEqual(await f.escrow.read.channels([f.channelId(c)]), [DEPOSIT - 50n, 0n]);
  });

  it("cannot re-enter the escrow from a collector during a deposit", async () => {
    const f = await escrowFixture();
    const collector = await f.viem.deployContract("MisbehavingCollector");
    await f.token.write.mint([collector.address, DEPOSIT]);
    const c = f.config();
    const inner = encodeFunctionData({ abi: f.escrow.abi, functionName: "refund", args: [c, DEPOSIT] });
    await collector.write.configure([0n, inner]);
    await f.escrow.write.deposit([c, DEPOSIT, collector.address, "0x"]);
    assert.equal(await collector.read.reentrySucceeded(), false);
    assert.equal(await collector.read.reentryResult(), "0x3ee5aeb5");
    assert.deepEqual(await f.escrow.read.channels([f.channelId(c)]), [DEPOSIT, 0n]);
  });
});

describe("views and the EIP-712 domain", () => {
  it("names the domain 'x402 Batch Settlement' v1 at this chain and address, computed at call time", async () => {
    const f = await escrowFixture();
    const [fields, name, version, chainId, verifyingContract, salt, extensions] = await f.escrow.read.eip712Domain();
    assert.deepEqual(
      [fields, name, version, Number(chainId), getAddress(verifyingContract), salt, extensions],
      ["0x0f", "x402 Batch Settlement", "1", CHAIN_ID, f.addresses.batchSettlement, `0x${"0".repeat(64)}`, []],
    );
    // The same code deployed elsewhere hashes channels under its own address: ids differ.
    const elsewhere = await f.viem.deployContract("X402BatchSettlement");
    const c = f.config();
    assert.notEqual(await elsewhere.read.getChannelId([c]), await f.escrow.read.getChannelId([c]));
    assert.equal(await f.escrow.read.getChannelId([c]), f.channelId(c));
  });

  it("gives the voucher digest the payer side signs", async () => {
    const f = await escrowFixture();
    const id = f.channelId(f.config());
    assert.equal(
      await f.escrow.read.getVoucherDigest([id, 123n]),
      hashTypedData({
        domain: escrowDomain(),
        types: voucherTypes,
        primaryType: "Voucher",
        message: { channelId: id, maxClaimableAmount: 123n },
      }),
    );
  });

  it("defines the claim batch digest of an empty batch", async () => {
    const f = await escrowFixture();
    assert.equal(
      await f.escrow.read.getClaimBatchDigest([[]]),
      hashTypedData({
        domain: escrowDomain(),
        types: claimBatchTypes,
        primaryType: "ClaimBatch",
        message: { claims: [] },
      }),
    );
  });
});

describe("LocalMulticall3", () => {
  it("reports failures as data in tryAggregate(false) and aggregate3, and reverts aggregate on one", async () => {
    const f = await escrowFixture();
    const good = {
      target: f.token.address,
      callData: encodeFunctionData({ abi: f.token.abi, functionName: "decimals" }),
    };
    const bad = { target: f.escrow.address, callData: "0xdeadbeef" as Hex };
    const { result: tried } = await f.multicall3.simulate.tryAggregate([false, [good, bad]]);
    assert.deepEqual(
      tried.map((r) => r.success),
      [true, false],
    );
    assert.equal(BigInt(tried[0]?.returnData ?? "0x"), 6n);
    const { result: three } = await f.multicall3.simulate.aggregate3([
      [
        { ...good, allowFailure: false },
        { ...bad, allowFailure: true },
      ],
    ]);
    assert.deepEqual(
      three.map((r) => r.success),
      [true, false],
    );
    await f.viem.assertions.revertWithCustomError(
      f.multicall3.simulate.aggregate([[good, bad]]),
      f.multicall3,
      "CallFailed",
    );
    await f.viem.assertions.revertWithCustomError(
      f.multicall3.simulate.tryAggregate([true, [good, bad]]),
      f.multicall3,
      "CallFailed",
    );
    const {
      result: [blockNumber, results],
    } = await f.multicall3.simulate.aggregate([[good]]);
    assert.equal(blockNumber, await f.publicClient.getBlockNumber());
    assert.equal(results.length, 1);
    assert.equal(await f.multicall3.read.getChainId(), BigInt(CHAIN_ID));
  });
});

const collectorDataParams = [{ type: "uint256" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes" }] as const;

function decodeCollectorData(data: Hex) {
  return decodeAbiParameters(collectorDataParams, data);
}

function encodeCollectorData(validAfter: bigint, validBefore: bigint, salt: bigint, signature: Hex): Hex {
  return encodeAbiParameters(collectorDataParams, [validAfter, validBefore, salt, signature]);
}
