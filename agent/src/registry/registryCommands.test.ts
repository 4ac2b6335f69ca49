// The operator commands' decisions against an in-memory registry: what each prints, its exit code, and that a
// command that cannot succeed sends nothing. The real process on a real chain: registryOnChain.test.ts.
import { type RegistryNodeInfo, wireguardKeyToBytes32 } from "@wg402/shared";
import { loadAgentConfig } from "../config.ts";
import { RegistryExit, runRegistryCommand } from "./registryCommands.ts";
import { FakeRegistryChain } from "./testing/fakeRegistryChain.ts";
import { registryInfoFixture } from "./testing/registryInfoFixture.ts";

const wireguardKey = Buffer.alloc(32, 9).toString("base64");
const id = wireguardKeyToBytes32(wireguardKey);
const info: RegistryNodeInfo = registryInfoFixture({ wireguardKey });
const config = loadAgentConfig({
  AGENT_PAY_TO: info.payTo,
  AGENT_TOKEN_ADDRESS: "0x4444444444444444444444444444444444444444",
  AGENT_REGISTRY: "on",
  AGENT_REGISTRY_ADDRESS: "0x00000000000000000000000000000000000a11ce",
  AGENT_COUNTRY: "DE",
  AGENT_OPERATOR_PRIVATE_KEY: `0x${"11".repeat(32)}`,
});

async function run(chain: FakeRegistryChain, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRegistryCommand(
    args,
    config,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { chain, wireguardKey },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("registry commands", () => {
  it("status: the entry, human and --json; no entry exits noEntry", async () => {
    const chain = new FakeRegistryChain();
    expect(await run(chain, "status")).toMatchObject({
      code: RegistryExit.noEntry,
      out: expect.stringMatching(/not registered/),
    });
    chain.put(info, { version: 3 });
    const human = await run(chain, "status");
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/status\s+active/);
    expect(human.out).toMatch(/operator\s+0x1111.*\(this operator key\)/);
    expect(human.out).toMatch(/version\s+3/);
    const json = await run(chain, "status", "--json");
    expect(JSON.parse(json.out)).toMatchObject({
      id,
      mine: true,
      withdrawable: false,
      entry: { version: 3, status: "active" },
    });
    expect(chain.txs).toEqual([]);
  });

  it("unbond, then withdraw only once the delay is over", async () => {
    const chain = new FakeRegistryChain();
    chain.put(info);
    expect(await run(chain, "withdraw")).toMatchObject({
      code: RegistryExit.refused,
      err: expect.stringMatching(/unbond` first/),
    });
    expect(await run(chain, "unbond")).toMatchObject({ code: 0, out: expect.stringMatching(/unbonding started/) });
    expect(await run(chain, "unbond")).toMatchObject({
      code: RegistryExit.refused,
      err: expect.stringMatching(/already unbonding/),
    });
    chain.now += 3_000;
    const early = await run(chain, "withdraw");
    expect(early.code).toBe(RegistryExit.notYet);
    expect(early.err).toMatch(/ends .*\(in about 10 min\): withdraw then/);
    expect(chain.txs.map((t) => t.fn)).toEqual(["startUnbonding"]);
    chain.now += 600;
    const balance = chain.balance;
    expect(await run(chain, "withdraw")).toMatchObject({ code: 0, out: expect.stringMatching(/withdrew 10000000/) });
    expect(chain.balance).toBe(balance + 10_000_000n);
    expect(await run(chain, "status")).toMatchObject({ code: RegistryExit.noEntry });
  });

  it("add-stake: a positive amount the operator holds, on an entry that is not unbonding", async () => {
    const chain = new FakeRegistryChain();
    chain.put(info);
    expect(await run(chain, "add-stake")).toMatchObject({ code: RegistryExit.usage });
    expect(await run(chain, "add-stake", "1.5")).toMatchObject({ code: RegistryExit.usage });
    chain.balance = 10n;
    expect(await run(chain, "add-stake", "11")).toMatchObject({ code: RegistryExit.refused });
    chain.balance = 100n;
    expect(await run(chain, "add-stake", "11")).toMatchObject({ code: 0, out: expect.stringMatching(/now 10000011/) });
    expect(chain.txs.map((t) => t.fn)).toEqual(["addStake"]);
  });

  it("refuses another operator's entry, a missing entry, a chain that is down, an unknown command", async () => {
    const chain = new FakeRegistryChain();
    expect(await run(chain, "unbond")).toMatchObject({ code: RegistryExit.noEntry });
    chain.put(info, { operator: "0x9999999999999999999999999999999999999999" });
    expect(await run(chain, "unbond")).toMatchObject({
      code: RegistryExit.notOperator,
      err: expect.stringMatching(/controlled by operator 0x9999/),
    });
    expect(await run(chain, "status")).toMatchObject({ code: 0, out: expect.stringMatching(/NOT this operator key/) });
    chain.down = true;
    expect(await run(chain, "status")).toMatchObject({
      code: RegistryExit.chainDown,
      err: expect.stringMatching(/unreachable/),
    });
    expect(await run(chain, "nope")).toMatchObject({ code: RegistryExit.usage, err: expect.stringMatching(/usage:/) });
    expect(await run(chain)).toMatchObject({ code: RegistryExit.usage });
    expect(chain.txs).toEqual([]);
  });
});
