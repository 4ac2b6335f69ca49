// The registrar's decisions against an in-memory registry: what it sends (and, above all, when it sends nothing).
import { type RegistryNodeInfo, wireguardKeyToBytes32 } from "@wg402/shared";
import { ManualClock } from "@wg402/shared/runtime";
import { pino } from "pino";
import { Registrar } from "./registrar.ts";
import { FakeRegistryChain } from "./testing/fakeRegistryChain.ts";
import { registryInfoFixture } from "./testing/registryInfoFixture.ts";

const info: RegistryNodeInfo = registryInfoFixture();
const id = wireguardKeyToBytes32(info.wireguardKey);
const other = "0x9999999999999999999999999999999999999999";

function setup(options: { stake?: bigint } = {}) {
  const chain = new FakeRegistryChain();
  const clock = new ManualClock();
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const registrar = new Registrar({
    chain,
    id,
    clock,
    log,
    refreshMs: 60_000,
    retry: { firstMs: 1_000, maxMs: 8_000 },
    ...options,
  });
  /** Runs the passes due within `ms`, each to its end. */
  const run = async (ms = 0) => {
    await clock.advance(ms);
    await registrar.idle();
  };
  return { chain, clock, registrar, logs, run };
}
const fns = (chain: FakeRegistryChain) => chain.txs.map((t) => t.fn);

describe("the registrar", () => {
  it("registers an absent entry with the minimum stake, then sends nothing on later passes", async () => {
    const { chain, registrar, run } = setup();
    expect(registrar.view()).toMatchObject({ status: "pending", id, address: chain.address });
    registrar.start(info);
    await run();
    expect(fns(chain)).toEqual(["approve", "register"]);
    expect(chain.txs[1]?.args).toEqual([info, 10_000_000n]);
    expect(registrar.view()).toEqual({
      address: chain.address,
      id,
      status: "active",
      operator: chain.operator,
      stake: "10000000",
      version: 1,
    });
    await run(60_000);
    await run(60_000);
    expect(fns(chain)).toEqual(["approve", "register"]);
  });

  it("sends no transaction at all when the entry already states the node", async () => {
    const { chain, registrar, run } = setup();
    // Addresses in another case and schemes in another order are the same entry.
    chain.put({ ...info, payTo: info.payTo.toLowerCase() }, { version: 4 });
    registrar.start(info);
    await run();
    await run(60_000);
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "active", version: 4 });
  });

  it("updates a changed price once, with the version it read", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info, { version: 2 });
    registrar.start({ ...info, pricePerMinute: "1500" });
    await run();
    expect(chain.txs).toEqual([{ fn: "update", args: [id, 2, { ...info, pricePerMinute: "1500" }] }]);
    expect(registrar.view()).toMatchObject({ status: "active", version: 3 });
    await run(60_000);
    expect(chain.txs).toHaveLength(1);
  });

  it("leaves another operator's entry untouched and says so, once, as an error", async () => {
    const { chain, registrar, run, logs } = setup();
    chain.put(info, { operator: other });
    registrar.start({ ...info, pricePerMinute: "1" });
    await run();
    await run(60_000);
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "foreign", operator: other });
    expect(registrar.view().message).toMatch(/belongs to operator 0x9999/);
    expect(logs.filter((l) => l.level === 50 && /belongs to operator/.test(l.msg))).toHaveLength(1);
  });

  it("does not update an entry that is unbonding: it is leaving", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info, { unbondingEndsAt: chain.now + 100 });
    registrar.start({ ...info, pricePerMinute: "1" });
    await run();
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "leaving", unbondingEndsAt: chain.now + 100 });
  });

  it("does not register again an entry withdrawn while the node runs", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info, { unbondingEndsAt: chain.now });
    registrar.start(info);
    await run();
    chain.entries.delete(id);
    await run(60_000);
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "error", message: expect.stringMatching(/withdrawn/) });
  });

  it("retries with back-off while the chain is down, then registers once it is back", async () => {
    const { chain, registrar, run, clock } = setup();
    chain.down = true;
    registrar.start(info);
    await run();
    expect(registrar.view()).toMatchObject({ status: "error", message: expect.stringMatching(/unreachable/) });
    // 1 s, 2 s, 4 s, then capped at 8 s.
    await run(1_000);
    await run(2_000);
    await run(4_000);
    expect(clock.timers).toEqual([clock.now() + 8_000]);
    chain.down = false;
    await run(8_000);
    expect(fns(chain)).toEqual(["approve", "register"]);
    expect(registrar.view().status).toBe("active");
    expect(clock.timers).toEqual([clock.now() + 60_000]);
  });

  it("sends nothing while a transaction of the operator is still unmined, then goes on", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info);
    chain.pendingTransaction = true;
    registrar.start({ ...info, pricePerMinute: "2000" });
    await run();
    await run(1_000);
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "error", message: expect.stringMatching(/still pending/) });
    chain.pendingTransaction = false;
    await run(2_000);
    expect(fns(chain)).toEqual(["update"]);
    expect(registrar.view()).toMatchObject({ status: "active", version: 2 });
  });

  it("keeps the last entry it read through a blip, with a note", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info);
    registrar.start(info);
    await run();
    chain.down = true;
    await run(60_000);
    expect(registrar.view()).toMatchObject({
      status: "active",
      version: 1,
      message: expect.stringMatching(/could not read/),
    });
    chain.down = false;
    await run(1_000);
    expect(registrar.view()).not.toHaveProperty("message");
    expect(chain.txs).toEqual([]);
  });

  it("re-reads and retries once when another update won the race (StaleVersion)", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info);
    chain.racingUpdates = 1;
    registrar.start({ ...info, label: "Berlin" });
    await run();
    expect(chain.txs).toEqual([{ fn: "update", args: [id, 2, { ...info, label: "Berlin" }] }]);
    expect(registrar.view()).toMatchObject({ status: "active", version: 3 });
  });

  it("gives up the pass on a second StaleVersion (no loop), and tries again later", async () => {
    const { chain, registrar, run } = setup();
    chain.put(info);
    chain.racingUpdates = 2;
    registrar.start({ ...info, label: "Berlin" });
    await run();
    expect(chain.txs).toEqual([]);
    expect(registrar.view()).toMatchObject({ status: "error", message: expect.stringMatching(/StaleVersion/) });
    await run(60_000);
    expect(fns(chain)).toEqual(["update"]);
    expect(registrar.view()).toMatchObject({ status: "active", version: 4 });
  });

  it("sends nothing when the stake is below the minimum or the operator cannot pay it", async () => {
    const low = setup({ stake: 5n });
    low.registrar.start(info);
    await low.run();
    expect(low.chain.txs).toEqual([]);
    expect(low.registrar.view()).toMatchObject({
      status: "error",
      message: expect.stringMatching(/below the registry's minimum/),
    });

    const poor = setup();
    poor.chain.balance = 9_999_999n;
    poor.registrar.start(info);
    await poor.run();
    expect(poor.chain.txs).toEqual([]);
    expect(poor.registrar.view()).toMatchObject({
      status: "error",
      message: expect.stringMatching(/registering needs 10000000/),
    });
  });

  it("stakes AGENT_REGISTRY_STAKE when set, and reports an entry slashed below the minimum as understaked", async () => {
    const { chain, registrar, run } = setup({ stake: 25_000_000n });
    registrar.start(info);
    await run();
    expect(chain.txs[1]?.args[1]).toBe(25_000_000n);
    const entry = chain.entries.get(id);
    if (entry) Object.assign(entry, { stake: "1", status: "understaked" });
    await run(60_000);
    expect(registrar.view()).toMatchObject({ status: "understaked", stake: "1" });
    expect(fns(chain)).toEqual(["approve", "register"]);
  });

  it("stops its passes when closed", async () => {
    const { chain, registrar, run, clock } = setup();
    chain.down = true;
    registrar.start(info);
    await run();
    await registrar.close();
    expect(clock.timers).toEqual([]);
    chain.down = false;
    await run(120_000);
    expect(chain.txs).toEqual([]);
  });
});
