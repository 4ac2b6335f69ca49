// Deposits through the ERC-3009 collector: gasless, bound to their channel, bounded; attacks included.
// Against wg402's implementation at its canonical address with the project's EIP-3009 test token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, maxUint128, zeroAddress } from "viem";
import {
  DEPOSIT,
  decodeCollectorData,
  depositNonce,
  encodeCollectorData,
  escrowFixture,
  MAX_DELAY,
  MIN_DELAY,
  receiptOf,
} from "../testing/escrowFixture.ts";

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
