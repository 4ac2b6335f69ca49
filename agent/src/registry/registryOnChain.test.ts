// The node registering itself in the real NodeRegistry on a hardhat chain: at start, not again on a restart
// with the same config, one update on a new price, `GET /` stating the entry; then the operator commands
// through the real process (status, unbond, withdraw before and after the delay), with the stake read back.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  chains,
  decodeRegistryEntry,
  NodeInfo,
  nodeRegistryAbi,
  type RegistryNodeStruct,
  wireguardKeyToBytes32,
} from "@wg402/shared";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startAgentProcess } from "../startAgentProcess.ts";
import { type AgentHarness, randomWgKey, read, startAgentHarness } from "../testing/agentHarness.ts";
import { createRegistryChain } from "./registryChain.ts";

let h: AgentHarness;
beforeAll(async () => {
  h = await startAgentHarness();
});
afterAll(() => h?.close());

const mainPath = fileURLToPath(new URL("../main.ts", import.meta.url));
const registry = () => h.chain.stack.registry?.address as Hex;
const registrant = () => h.chain.stack.accounts.registrant as { address: Hex; privateKey: Hex };
const nonceOf = (address: Hex) => h.publicClient.getTransactionCount({ address });
const entryOf = async (id: Hex) => {
  const [node, active] = await Promise.all([
    h.publicClient.readContract({ address: registry(), abi: nodeRegistryAbi, functionName: "node", args: [id] }),
    h.publicClient.readContract({ address: registry(), abi: nodeRegistryAbi, functionName: "isActive", args: [id] }),
  ]);
  return decodeRegistryEntry(id, node as unknown as RegistryNodeStruct, active as boolean);
};
const registryEnv = (url: string) => ({
  AGENT_REGISTRY: "on",
  AGENT_REGISTRY_ADDRESS: registry(),
  AGENT_COUNTRY: "DE",
  AGENT_REGION: "Frankfurt 1",
  AGENT_PUBLIC_URL: url,
  AGENT_OPERATOR_PRIVATE_KEY: registrant().privateKey,
});
/** The node's view of its entry once its first pass is over. */
async function settledView(url: string) {
  for (let i = 0; i < 200; i++) {
    const info = await read(NodeInfo, fetch(`${url}/`));
    if (info.registry && info.registry.status !== "pending") return info.registry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the registrar never finished its first pass");
}

describe("a node with AGENT_REGISTRY=on (in process)", () => {
  it("registers at start, sends nothing on a restart, one update on a new price; GET / states the entry", async () => {
    const key = randomWgKey();
    const id = wireguardKeyToBytes32(key);
    const signingKey = generatePrivateKey();
    const env = registryEnv("http://node-a.test:4021");
    const operator = registrant().address;
    const nonce0 = await nonceOf(operator);
    const balance0 = await h.balanceOf(operator);

    const first = await h.startAgent({ env, serverPublicKey: key, signingKey });
    expect(await settledView(first.url)).toEqual({
      address: registry(),
      id,
      status: "active",
      operator,
      stake: "10000000",
      version: 1,
    });
    await first.agent.registry?.registrar.idle();
    expect(await nonceOf(operator)).toBe(nonce0 + 2); // approve + register
    expect(await h.balanceOf(operator)).toBe(balance0 - 10_000_000n);
    expect(await entryOf(id)).toMatchObject({
      operator,
      status: "active",
      wireguardKey: key,
      payTo: h.operator(),
      signer: privateKeyToAccount(signingKey).address,
      pricePerMinute: "1000",
      pricePerMb: "0",
      schemes: ["exact"],
      country: "DE",
      url: "http://node-a.test:4021",
      label: "Frankfurt 1",
      version: 1,
    });
    await first.agent.close();

    const second = await h.startAgent({ env, serverPublicKey: key, signingKey });
    expect(await settledView(second.url)).toMatchObject({ status: "active", version: 1 });
    await second.agent.registry?.registrar.idle();
    expect(await nonceOf(operator)).toBe(nonce0 + 2);
    await second.agent.close();

    const third = await h.startAgent({
      env: { ...env, AGENT_PRICE_PER_MINUTE: "1500" },
      serverPublicKey: key,
      signingKey,
    });
    expect(await settledView(third.url)).toMatchObject({ status: "active", version: 2 });
    await third.agent.registry?.registrar.idle();
    expect(await nonceOf(operator)).toBe(nonce0 + 3);
    expect(await entryOf(id)).toMatchObject({ pricePerMinute: "1500", version: 2, stake: "10000000" });
    await third.agent.close();
  });

  it("serves leases while the registry's chain is down, and says so in GET /", async () => {
    const key = randomWgKey();
    const running = await h.startAgent({
      env: registryEnv("http://node-down.test:4021"),
      serverPublicKey: key,
      registryChain: createRegistryChain({
        chain: chains.local,
        rpcUrl: "http://127.0.0.1:9/",
        address: registry(),
        operatorKey: registrant().privateKey,
        timeoutMs: 500,
      }),
    });
    const view = await settledView(running.url);
    expect(view).toMatchObject({ status: "error", id: wireguardKeyToBytes32(key) });
    expect(view.message).toMatch(/unreachable/);
    const { response } = await h.buyLease(running, 2);
    expect(response.status).toBe(201);
  });
});

type Run = { code: number; stdout: string; stderr: string };
const runCommand = (env: Record<string, string>, args: string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", mainPath, "registry", ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe("the real process", () => {
  it("registers itself, and its operator commands report, unbond and withdraw the stake", async () => {
    const key = randomWgKey();
    const id = wireguardKeyToBytes32(key);
    const operator = registrant().address;
    const env: Record<string, string> = {
      ...registryEnv("http://node-p.test:4021"),
      AGENT_PORT: "0",
      AGENT_WG_MODE: "fake",
      AGENT_WG_PUBLIC_KEY: key,
      AGENT_SIGNING_PRIVATE_KEY: generatePrivateKey(),
      AGENT_PAY_TO: h.operator(),
      AGENT_TOKEN_ADDRESS: h.token(),
      AGENT_TOKEN_NAME: h.chain.stack.token.eip712.name,
      AGENT_TOKEN_VERSION: h.chain.stack.token.eip712.version,
      AGENT_FACILITATOR_URL: h.facilitatorUrl,
      AGENT_RPC_URL: h.chain.rpcUrl,
      AGENT_DB_PATH: join(h.dir, "process.sqlite"),
      AGENT_WG_SUBNET: "10.78.0.0/24",
      LOG_LEVEL: "warn",
    };
    const balance0 = await h.balanceOf(operator);
    const nonce0 = await nonceOf(operator);

    const node = await startAgentProcess(env);
    try {
      expect(await settledView(node.url)).toMatchObject({ status: "active", id, operator, version: 1 });
    } finally {
      await node.stop();
    }
    expect(await nonceOf(operator)).toBe(nonce0 + 2);

    const status = await runCommand(env, ["status", "--json"]);
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(status.stdout)).toMatchObject({
      registry: registry(),
      id,
      mine: true,
      entry: { status: "active", stake: "10000000", url: "http://node-p.test:4021", operator },
    });
    const human = await runCommand(env, ["status"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/status\s+active/);

    const more = await runCommand(env, ["add-stake", "5000000"]);
    expect(more.code).toBe(0);
    expect(more.stdout).toMatch(/the stake is now 15000000/);
    expect(await h.balanceOf(operator)).toBe(balance0 - 15_000_000n);

    const early = await runCommand(env, ["withdraw"]);
    expect(early.code).toBe(7);
    expect(early.stderr).toMatch(/not unbonding: run `registry unbond` first/);

    const unbond = await runCommand(env, ["unbond"]);
    expect(unbond.code).toBe(0);
    expect(unbond.stdout).toMatch(/unbonding started/);
    expect((await entryOf(id)).status).toBe("leaving");

    const tooSoon = await runCommand(env, ["withdraw"]);
    expect(tooSoon.code).toBe(6);
    expect(tooSoon.stderr).toMatch(/the unbonding delay ends \d{4}-\d\d-\d\dT.*\(in about 60 min\): withdraw then/);
    const nonceBefore = await nonceOf(operator);

    await h.publicClient.request({ method: "evm_increaseTime" as never, params: [3_601] as never });
    await h.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    expect(await nonceOf(operator)).toBe(nonceBefore); // a refused withdraw sent nothing
    const withdrawn = await runCommand(env, ["withdraw"]);
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.stdout).toMatch(/withdrew 15000000 base units/);
    expect(await h.balanceOf(operator)).toBe(balance0);

    const gone = await runCommand(env, ["status"]);
    expect(gone.code).toBe(4);
    expect(gone.stdout).toMatch(/not registered/);
    expect(await runCommand(env, ["unbond"])).toMatchObject({ code: 4 });
  });

  it("refuses clearly: registry off, another operator's key, a chain that is down", async () => {
    const base = {
      AGENT_PAY_TO: h.operator(),
      AGENT_TOKEN_ADDRESS: h.token(),
      AGENT_WG_MODE: "fake",
      AGENT_WG_PUBLIC_KEY: randomWgKey(),
    };
    const off = await runCommand(base, ["status"]);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/the registry is off/);

    const usage = await runCommand({ ...base, ...registryEnv("http://x.test") }, ["frobnicate"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown registry command "frobnicate"/);

    const down = await runCommand({ ...base, ...registryEnv("http://x.test"), AGENT_RPC_URL: "http://127.0.0.1:9/" }, [
      "status",
    ]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/unreachable/);

    // An entry registered by the registrant, commanded with another key.
    const key = randomWgKey();
    const running = await h.startAgent({ env: registryEnv("http://node-f.test:4021"), serverPublicKey: key });
    expect((await settledView(running.url)).status).toBe("active");
    const stranger = await runCommand(
      {
        ...base,
        ...registryEnv("http://x.test"),
        AGENT_RPC_URL: h.chain.rpcUrl,
        AGENT_WG_PUBLIC_KEY: key,
        AGENT_OPERATOR_PRIVATE_KEY: generatePrivateKey(),
      },
      ["unbond"],
    );
    expect(stranger.code).toBe(5);
    expect(stranger.stderr).toMatch(/controlled by operator/);
  });
});
