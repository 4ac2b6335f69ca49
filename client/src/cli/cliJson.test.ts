// `--json` is exactly one JSON document on stdout (NDJSON for `connect`) however `wg402` is started: the bin
// directly under Node 22, the bin under the system's older Node (which it re-runs under the project's Node
// 22, forwarding signals and the exit code), and `npm run --silent wg402 -- …`. Read with a JSON parser, so
// one stray line fails it. Against a real chain, facilitator and agent.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NodeInfo } from "@wg402/shared";
import { fetchLeaseSummary } from "../node/nodeApi.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "client", "bin", "wg402.js");
const SYSTEM_NODE = "/usr/bin/node";
const systemMajor = existsSync(SYSTEM_NODE)
  ? Number(spawnSync(SYSTEM_NODE, ["-p", "process.versions.node.split('.')[0]"]).stdout.toString().trim())
  : 0;

let stack: TestStack;
let node: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent();
  dir = await mkdtemp(join(tmpdir(), "wg402-cli-json-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `group`: Ctrl-C goes to the whole process group, as a terminal sends it (npm's shell, the re-run Node). */
type Way = { name: string; command: string; prefix: string[]; group: boolean };
const wrapped = systemMajor > 0 && systemMajor < 22;
const ways: Way[] = [
  { name: "the bin under Node 22", command: process.execPath, prefix: [BIN], group: false },
  { name: "npm run --silent wg402 --", command: "npm", prefix: ["run", "--silent", "wg402", "--"], group: true },
  ...(wrapped
    ? [{ name: `the bin under the system Node ${systemMajor}`, command: SYSTEM_NODE, prefix: [BIN], group: true }]
    : []),
];

function start(way: Way, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(way.command, [...way.prefix, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a "Ctrl-C" can go to the whole group as a terminal sends it.
    detached: way.group,
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, out, exited };
}

/** Every stdout line parsed; throws on the first that is not JSON. */
const ndjson = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe.each(ways)("wg402 --json through $name", (way) => {
  it("prints one JSON document for node info and quote, and a JSON error for bad input", async () => {
    const info = start(way, ["node", "info", node.url, "--json"], {});
    expect(await info.exited).toBe(0);
    expect(NodeInfo.parse(JSON.parse(info.out.stdout))).toMatchObject({ pricePerMinute: "1000" });

    const quote = start(way, ["quote", node.url, "--minutes", "3", "--json"], {});
    expect(await quote.exited).toBe(0);
    const parsed = JSON.parse(quote.out.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ minutes: 3, pricePerMinute: "1000", total: "3000", totalFormatted: "0.003" });
    expect(parsed).not.toHaveProperty("error");

    const bad = start(way, ["quote", "http://127.0.0.1:1/x?y", "--minutes", "2", "--json"], {});
    expect(await bad.exited).toBe(ExitCode.usage);
    expect(bad.out.stdout).toBe("");
    expect(JSON.parse(bad.out.stderr)).toMatchObject({ error: "invalid_url" });
  }, 60_000);

  it("streams connect as NDJSON, and Ctrl-C (SIGINT) closes the lease with exit 0", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const env = {
      ...stack.env,
      WG402_HOME: join(dir, way.name.replace(/\W+/g, "-")),
      WG402_PRIVATE_KEY: wallet.privateKey,
    };
    const run = start(way, ["connect", node.url, "--driver", "export", "--minutes", "2", "--no-qr", "--json"], env);
    try {
      const deadline = Date.now() + 30_000;
      while (!run.out.stdout.includes('"event":"connected"')) {
        if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no connection:\n${run.out.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Once to each process of the group, as a terminal does: the CLI must take the copies as one press.
      if (way.group && run.child.pid) process.kill(-run.child.pid, "SIGINT");
      else run.child.kill("SIGINT");
      const code = await run.exited;
      // npm re-raises a SIGINT on itself once its script is done; the bin passes the CLI's code through.
      if (way.command !== "npm") expect(code).toBe(0);
      const events = ndjson(run.out.stdout);
      const names = events.map((e) => e.event).filter((name) => name !== "status");
      expect(names).toEqual(["plan", "leased", "connected", "closed"]);
      const leaseId = events[1]?.leaseId as string;
      expect((await fetchLeaseSummary(node.url, leaseId)).state).toBe("closed");
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  }, 60_000);
});

(wrapped ? describe : describe.skip)(`the bin under the system Node ${systemMajor}`, () => {
  it("forwards a signal sent to it alone and passes the exit code through", async () => {
    const wallet = await stack.fundedWallet(100_000n);
    const env = { ...stack.env, WG402_HOME: join(dir, "forwarded"), WG402_PRIVATE_KEY: wallet.privateKey };
    const way = { name: "wrapper", command: SYSTEM_NODE, prefix: [BIN], group: false };
    const run = start(way, ["connect", node.url, "--driver", "export", "--minutes", "2", "--no-qr", "--json"], env);
    try {
      while (!run.out.stdout.includes('"event":"connected"')) {
        if (run.child.exitCode !== null) throw new Error(run.out.stderr);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      const leaseId = ndjson(run.out.stdout).find((e) => e.event === "leased")?.leaseId as string;
      expect((await fetchLeaseSummary(node.url, leaseId)).state).toBe("closed");
      const usage = start(way, ["connect", node.url], env);
      expect(await usage.exited).toBe(ExitCode.usage);
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  }, 60_000);
});
