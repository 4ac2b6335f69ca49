// NodeRegistry: registration with stake, updates, unbonding and withdrawal, slashing by the arbiter, paginated
// views, and the attacks: no stake, early withdrawal, late slashing, squatting a key or an endpoint, a stale
// (raced) update, a flood of entries, a double slash.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, keccak256, toHex } from "viem";
import {
  country,
  keyOf,
  MIN_STAKE,
  registryFixture,
  SCHEME_EXACT,
  UNBONDING_DELAY,
} from "../testing/registryFixture.ts";

const evidence = (text: string) => keccak256(toHex(`evidence ${text}`));

describe("registering", () => {
  it("pulls the stake, lists the node as active and emits NodeRegistered", async () => {
    const f = await registryFixture();
    const info = f.info();
    const asAlice = await f.as(f.alice);
    await f.viem.assertions.emitWithArgs(asAlice.write.register([info, MIN_STAKE]), f.registry, "NodeRegistered", [
      info.wireguardKey,
      getAddress(f.alice.account.address),
      info.endpoint,
      MIN_STAKE,
    ]);
    const entry = await f.registry.read.node([info.wireguardKey]);
    assert.equal(entry.operator, getAddress(f.alice.account.address));
    assert.equal(entry.stake, MIN_STAKE);
    assert.equal(entry.version, 1);
    assert.equal(entry.info.pricePerMb, 20_000n);
    assert.equal(await f.registry.read.isActive([info.wireguardKey]), true);
    assert.equal(await f.registry.read.totalStake(), MIN_STAKE);
    assert.equal(await f.token.read.balanceOf([f.registry.address]), MIN_STAKE);
    assert.equal(await f.registry.read.idOfEndpoint([info.endpoint]), info.wireguardKey);
  });

  it("refuses a registration without the minimum stake, or without the tokens behind it", async () => {
    const f = await registryFixture();
    const asAlice = await f.as(f.alice);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.register([f.info(), MIN_STAKE - 1n]),
      f.registry,
      "StakeTooLow",
      [MIN_STAKE - 1n, MIN_STAKE],
    );
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.register([f.info(), 0n]),
      f.registry,
      "StakeTooLow",
      [0n, MIN_STAKE],
    );
    // The arbiter holds no tokens and approved nothing: the transfer fails and nothing is listed.
    const asArbiter = await f.as(f.arbiter);
    await assert.rejects(asArbiter.write.register([f.info({ wireguardKey: keyOf("broke") }), MIN_STAKE]));
    assert.equal(await f.registry.read.nodeCount(), 0n);
  });

  it("refuses malformed info: no key, no payTo, no endpoint, unknown schemes, a country that is no ISO code", async () => {
    const f = await registryFixture();
    const asAlice = await f.as(f.alice);
    const zero = "0x0000000000000000000000000000000000000000" as const;
    await f.viem.assertions.revertWithCustomError(
      asAlice.write.register([f.info({ wireguardKey: `0x${"00".repeat(32)}` }), MIN_STAKE]),
      f.registry,
      "InvalidKey",
    );
    await f.viem.assertions.revertWithCustomError(
      asAlice.write.register([f.info({ payTo: zero }), MIN_STAKE]),
      f.registry,
      "ZeroAddress",
    );
    for (const [field, over] of [
      ["endpoint", { endpoint: "" }],
      ["endpoint", { endpoint: `https://${"a".repeat(300)}` }],
      ["schemes", { schemes: 0 }],
      ["schemes", { schemes: 4 }],
      ["country", { country: country("de") }],
      ["label", { label: "x".repeat(65) }],
    ] as const) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        asAlice.write.register([f.info(over), MIN_STAKE]),
        f.registry,
        "InvalidInfo",
        [field],
      );
    }
  });

  it("one key, one entry; one endpoint, one entry: nobody re-registers another's", async () => {
    const f = await registryFixture();
    const info = f.info();
    await (await f.as(f.alice)).write.register([info, MIN_STAKE]);
    const asMallory = await f.as(f.mallory);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asMallory.write.register([f.info({ endpoint: "https://evil.example" }), MIN_STAKE]),
      f.registry,
      "KeyTaken",
      [info.wireguardKey],
    );
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asMallory.write.register([f.info({ wireguardKey: keyOf("mallory") }), MIN_STAKE]),
      f.registry,
      "EndpointTaken",
      [keccak256(toHex(info.endpoint)), info.wireguardKey],
    );
    // Nor can anyone but the operator change, top up, unbond or withdraw the entry.
    for (const call of [
      asMallory.write.update([info.wireguardKey, 1, f.info({ endpoint: "https://evil.example" })]),
      asMallory.write.addStake([info.wireguardKey, 1n]),
      asMallory.write.startUnbonding([info.wireguardKey]),
      asMallory.write.withdraw([info.wireguardKey]),
    ]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(call, f.registry, "NotOperator", [
        info.wireguardKey,
        getAddress(f.mallory.account.address),
      ]);
    }
  });
});

describe("updating", () => {
  it("replaces the info, moves the endpoint and bumps the version; the key cannot change", async () => {
    const f = await registryFixture();
    const info = f.info();
    const asAlice = await f.as(f.alice);
    await asAlice.write.register([info, MIN_STAKE]);
    const moved = f.info({ endpoint: "https://de2.example.net", pricePerMinute: 900n, schemes: SCHEME_EXACT });
    await f.viem.assertions.emitWithArgs(
      asAlice.write.update([info.wireguardKey, 1, moved]),
      f.registry,
      "NodeUpdated",
      [info.wireguardKey, 2],
    );
    const entry = await f.registry.read.node([info.wireguardKey]);
    assert.equal(entry.info.pricePerMinute, 900n);
    assert.equal(entry.info.endpoint, moved.endpoint);
    assert.equal(await f.registry.read.idOfEndpoint([info.endpoint]), `0x${"00".repeat(32)}`);
    assert.equal(await f.registry.read.idOfEndpoint([moved.endpoint]), info.wireguardKey);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.update([info.wireguardKey, 2, f.info({ wireguardKey: keyOf("other") })]),
      f.registry,
      "KeyChange",
      [info.wireguardKey, keyOf("other")],
    );
  });

  it("a raced update built on an older version is refused rather than undo the newer one", async () => {
    const f = await registryFixture();
    const info = f.info();
    const asAlice = await f.as(f.alice);
    await asAlice.write.register([info, MIN_STAKE]);
    // Two updates prepared against version 1 (two devices, or a replayed transaction): the first lands.
    await asAlice.write.update([info.wireguardKey, 1, f.info({ pricePerMinute: 2_000n })]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.update([info.wireguardKey, 1, f.info({ pricePerMinute: 500n })]),
      f.registry,
      "StaleVersion",
      [info.wireguardKey, 1, 2],
    );
    assert.equal((await f.registry.read.node([info.wireguardKey])).info.pricePerMinute, 2_000n);
  });

  it("front-running an endpoint change by registering it first costs the squatter a full stake, which the arbiter can slash", async () => {
    const f = await registryFixture();
    const info = f.info();
    await (await f.as(f.alice)).write.register([info, MIN_STAKE]);
    const target = "https://de-new.example.net";
    const squatter = f.info({ wireguardKey: keyOf("squatter"), endpoint: target, payTo: f.mallory.account.address });
    const malloryBefore = await f.token.read.balanceOf([f.mallory.account.address]);
    await (await f.as(f.mallory)).write.register([squatter, MIN_STAKE]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      (await f.as(f.alice)).write.update([info.wireguardKey, 1, f.info({ endpoint: target })]),
      f.registry,
      "EndpointTaken",
      [keccak256(toHex(target)), squatter.wireguardKey],
    );
    await (await f.as(f.arbiter)).write.slash([squatter.wireguardKey, MIN_STAKE, evidence("squat")]);
    assert.equal(await f.registry.read.isActive([squatter.wireguardKey]), false);
    assert.equal(await f.token.read.balanceOf([f.mallory.account.address]), malloryBefore - MIN_STAKE);
  });
});

describe("stake, unbonding and withdrawal", () => {
  it("adds stake; unbonding lists the node as leaving; withdrawal waits the delay, then pays back and frees the entry", async () => {
    const f = await registryFixture();
    const info = f.info();
    const asAlice = await f.as(f.alice);
    await asAlice.write.register([info, MIN_STAKE]);
    await f.viem.assertions.emitWithArgs(asAlice.write.addStake([info.wireguardKey, 5n]), f.registry, "StakeAdded", [
      info.wireguardKey,
      5n,
      MIN_STAKE + 5n,
    ]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.withdraw([info.wireguardKey]),
      f.registry,
      "NotUnbonding",
      [info.wireguardKey],
    );
    const endsAt = (await f.now()) + 1n + UNBONDING_DELAY;
    await f.viem.assertions.emitWithArgs(
      asAlice.write.startUnbonding([info.wireguardKey]),
      f.registry,
      "UnbondingStarted",
      [info.wireguardKey, endsAt],
    );
    assert.equal(await f.registry.read.isActive([info.wireguardKey]), false);
    const [, , active] = await f.registry.read.nodesPage([0n, 10n]);
    assert.deepEqual(active, [false]);
    for (const call of [
      asAlice.write.update([info.wireguardKey, 1, info]),
      asAlice.write.addStake([info.wireguardKey, 1n]),
      asAlice.write.startUnbonding([info.wireguardKey]),
    ]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs(call, f.registry, "AlreadyUnbonding", [
        info.wireguardKey,
        endsAt,
      ]);
    }
    // Withdrawing during unbonding is refused, to the last second.
    await f.networkHelpers.time.increaseTo(endsAt - 2n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asAlice.write.withdraw([info.wireguardKey]),
      f.registry,
      "UnbondingNotOver",
      [info.wireguardKey, endsAt],
    );
    await f.networkHelpers.time.increaseTo(endsAt - 1n);
    const before = await f.token.read.balanceOf([f.alice.account.address]);
    await f.viem.assertions.emitWithArgs(asAlice.write.withdraw([info.wireguardKey]), f.registry, "NodeWithdrawn", [
      info.wireguardKey,
      getAddress(f.alice.account.address),
      MIN_STAKE + 5n,
    ]);
    assert.equal(await f.token.read.balanceOf([f.alice.account.address]), before + MIN_STAKE + 5n);
    assert.equal(await f.registry.read.nodeCount(), 0n);
    assert.equal(await f.registry.read.totalStake(), 0n);
    // The key and the endpoint are free again.
    await (await f.as(f.bob)).write.register([f.info({ payTo: f.bob.account.address }), MIN_STAKE]);
  });
});

describe("slashing", () => {
  it("is the arbiter's alone, to the treasury, within the stake, once per evidence", async () => {
    const f = await registryFixture();
    const info = f.info();
    await (await f.as(f.alice)).write.register([info, 2n * MIN_STAKE]);
    await assert.rejects((await f.as(f.mallory)).write.slash([info.wireguardKey, 1n, evidence("a")]));
    const asArbiter = await f.as(f.arbiter);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asArbiter.write.slash([info.wireguardKey, 2n * MIN_STAKE + 1n, evidence("a")]),
      f.registry,
      "SlashExceedsStake",
      [info.wireguardKey, 2n * MIN_STAKE + 1n, 2n * MIN_STAKE],
    );
    await f.viem.assertions.emitWithArgs(
      asArbiter.write.slash([info.wireguardKey, MIN_STAKE + 1n, evidence("a")]),
      f.registry,
      "NodeSlashed",
      [info.wireguardKey, evidence("a"), MIN_STAKE + 1n, getAddress(f.treasury.account.address)],
    );
    assert.equal(await f.token.read.balanceOf([f.treasury.account.address]), MIN_STAKE + 1n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asArbiter.write.slash([info.wireguardKey, 1n, evidence("a")]),
      f.registry,
      "EvidenceAlreadyUsed",
      [evidence("a")],
    );
    // Below the minimum stake the node is listed but not active.
    assert.equal(await f.registry.read.isActive([info.wireguardKey]), false);
    assert.equal(await f.registry.read.totalStake(), MIN_STAKE - 1n);
  });

  it("reaches an unbonding node until its delay is over, never after; without a treasury it burns", async () => {
    const f = await registryFixture({ treasury: "burn" });
    const info = f.info();
    const asAlice = await f.as(f.alice);
    await asAlice.write.register([info, MIN_STAKE]);
    await asAlice.write.startUnbonding([info.wireguardKey]);
    const endsAt = (await f.registry.read.node([info.wireguardKey])).unbondingEndsAt;
    const asArbiter = await f.as(f.arbiter);
    const burn = await f.registry.read.BURN_ADDRESS();
    await asArbiter.write.slash([info.wireguardKey, 10n, evidence("during")]);
    assert.equal(await f.token.read.balanceOf([burn]), 10n);
    await f.networkHelpers.time.increaseTo(endsAt);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asArbiter.write.slash([info.wireguardKey, 10n, evidence("after")]),
      f.registry,
      "UnbondingOver",
      [info.wireguardKey, endsAt],
    );
    await asAlice.write.withdraw([info.wireguardKey]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      asArbiter.write.slash([info.wireguardKey, 1n, evidence("gone")]),
      f.registry,
      "UnknownNode",
      [info.wireguardKey],
    );
  });
});

describe("views and floods", () => {
  it("a flood of entries costs a full stake each, and the listing stays paginated", async () => {
    const f = await registryFixture();
    const asMallory = await f.as(f.mallory);
    const before = await f.token.read.balanceOf([f.mallory.account.address]);
    const flood = 30;
    let gas = 0n;
    for (let i = 0; i < flood; i++) {
      const hash = await asMallory.write.register([
        f.info({
          wireguardKey: keyOf(`flood-${i}`),
          endpoint: `https://flood-${i}.example`,
          payTo: f.mallory.account.address,
        }),
        MIN_STAKE,
      ]);
      gas += await f.gasOf(hash);
    }
    // Locked for at least the unbonding delay, and slashable all the while.
    assert.equal(before - (await f.token.read.balanceOf([f.mallory.account.address])), BigInt(flood) * MIN_STAKE);
    assert.ok(gas / BigInt(flood) < 400_000n, `register costs ${gas / BigInt(flood)} gas`);
    assert.equal(await f.registry.read.nodeCount(), BigInt(flood));
    const [first] = await f.registry.read.nodesPage([0n, 1_000n]);
    assert.equal(first.length, 30);
    const [page, entries] = await f.registry.read.nodesPage([25n, 10n]);
    assert.equal(page.length, 5);
    assert.equal(entries[0]?.operator, getAddress(f.mallory.account.address));
    const [beyond] = await f.registry.read.nodesPage([40n, 10n]);
    assert.equal(beyond.length, 0);
  });
});
