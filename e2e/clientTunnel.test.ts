// The real `wg402` CLI, as a user runs it, against a real agent with a wireguard-go interface, as root: the
// client's tunnel lives in one network namespace, the node's in another. With a short billed minute the CLI
// renews under a continuous 10 Hz ping with no packet lost, stops at the spend cap with traffic blocked (not
// leaked), and Ctrl-C closes the lease on the node. Skips with the reason where root is missing.
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { LeaseSummary, writeLocalStack } from "@wg402/shared";
import { runCommand } from "@wg402/wireguard";
import {
  createNetnsPair,
  describeOrSkip,
  execIn,
  type NetnsPair,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { type PaidStack, startPaidStack } from "./support.ts";

const SECONDS_PER_MINUTE = 4;
const cli = fileURLToPath(new URL("../client/bin/wg402.js", import.meta.url));
const skip = await userspaceSkipReason({ needWg: true });

type CliRun = {
  child: ChildProcess;
  events: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
};

describeOrSkip(skip, "wg402 connect through a real node", () => {
  let dir: string;
  let stack: PaidStack;
  let pair: NetnsPair;
  let agent: AgentProcess;
  let env: Record<string, string>;
  const agentIface = uniqueName("wgn");
  const octet = randomInt(1, 250);
  const gateway = `10.68.${octet}.1`;

  function connect(args: string[]): CliRun {
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", cli, "connect", agent.url, "--json", ...args],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const events: Record<string, unknown>[] = [];
    let buffered = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim().startsWith("{")) events.push(JSON.parse(line));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, events, stderr: () => stderr, exited };
  }

  async function waitFor(run: CliRun, event: string, count = 1, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = run.events.filter((e) => e.event === event);
      if (found.length >= count) return found[count - 1] as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no ${count}× ${event} within ${timeoutMs} ms: ${JSON.stringify(run.events)} ${run.stderr()}`);
  }
  const agentPeers = async () =>
    (await execIn(pair.a, "wg", ["show", agentIface, "peers"])).stdout.split("\n").filter(Boolean);
  const routeDevice = async (address: string) =>
    /dev (\S+)/.exec((await execIn(pair.b, "ip", ["route", "get", address])).stdout)?.[1];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-client-e2e-"));
    stack = await startPaidStack(dir);
    pair = await createNetnsPair({ prefix: "wgu" });
    // The client's namespace reaches "the internet" across the veth, so a leak would have somewhere to go.
    await execIn(pair.b, "ip", ["route", "add", "default", "via", pair.addrA]);
    agent = await startAgentProcess({
      ...stack.agentEnv,
      AGENT_DB_PATH: join(dir, "agent.sqlite"),
      AGENT_WG_MODE: "userspace",
      AGENT_WG_NETNS: pair.a,
      AGENT_WG_INTERFACE: agentIface,
      AGENT_WG_ENDPOINT_HOST: pair.addrA,
      AGENT_WG_SUBNET: `10.68.${octet}.0/24`,
      AGENT_WG_DNS: "",
      AGENT_WG_PRIVATE_KEY_FILE: join(dir, "agent.key"),
      AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
    });
    const stackFile = join(dir, "local.json");
    await writeLocalStack(
      { ...stack.chain.stack, services: { ...stack.chain.stack.services, agent: agent.url } },
      stackFile,
    );
    env = {
      WG402_HOME: join(dir, "home"),
      WG402_STACK_FILE: stackFile,
      WG402_RPC_URL_LOCAL: stack.chain.rpcUrl,
      WG402_PRIVATE_KEY: stack.chain.stack.accounts.demo.privateKey,
    };
  });

  afterAll(async () => {
    await agent?.stop();
    await pair?.cleanup();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("renews at least 3 times under a 10 Hz ping with no loss, then stops at the cap with traffic blocked", async () => {
    const iface = uniqueName("wgu");
    // 1,000 base units a minute: a cap of 0.004 pays the first minute and three renewals, then stops.
    const run = connect([
      "--minutes",
      "1",
      "--auto-renew",
      "--max-spend",
      "0.004",
      "--driver",
      "userspace",
      "--netns",
      pair.b,
      "--interface",
      iface,
    ]);
    try {
      await waitFor(run, "connected");
      const ping = await execIn(pair.b, "ping", ["-n", "-i", "0.1", "-c", "110", "-W", "1", gateway], {
        timeoutMs: 60_000,
      });
      expect(ping.stdout).toMatch(/110 packets transmitted, 110 received, 0% packet loss/);
      await waitFor(run, "renewed", 3);

      await waitFor(run, "capReached");
      expect(await waitFor(run, "expired")).toMatchObject({ cause: "spend_cap" });
      await waitFor(run, "blocked");
      // The lease is over on the node, and the client's traffic stays on the dead tunnel: blocked, not leaked,
      // for as long as the user has not disconnected.
      expect(await agentPeers()).toEqual([]);
      await expect(execIn(pair.b, "ping", ["-n", "-c", "2", "-W", "1", gateway])).rejects.toThrow();
      expect(await routeDevice("198.51.100.7")).toBe(iface);
      expect(run.child.exitCode).toBeNull();

      run.child.kill("SIGINT");
      expect(await run.exited).toBe(6); // the spend cap ended the session
      expect(await routeDevice("198.51.100.7")).toBe(pair.vethB);
    } finally {
      run.child.kill("SIGKILL");
      await runCommand("ip", ["-n", pair.b, "link", "del", iface]).catch(() => undefined);
      await runCommand("pkill", ["-f", `wireguard-go.* ${iface}$`]).catch(() => undefined);
      await rm(join(dir, "home"), { recursive: true, force: true });
    }
  }, 120_000);

  it("closes the lease on the node and takes the tunnel down on Ctrl-C", async () => {
    const iface = uniqueName("wgu");
    const run = connect(["--minutes", "5", "--driver", "userspace", "--netns", pair.b, "--interface", iface]);
    const connected = await waitFor(run, "connected");
    const leaseId = connected.leaseId as string;
    await execIn(pair.b, "ping", ["-n", "-c", "2", "-W", "2", gateway]);
    expect(await agentPeers()).toHaveLength(1);

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    const lease = LeaseSummary.parse(await (await fetch(`${agent.url}/lease/${leaseId}`)).json());
    expect(lease.state).toBe("closed");
    expect(await agentPeers()).toEqual([]);
    await expect(execIn(pair.b, "ip", ["link", "show", iface])).rejects.toThrow();
    expect(await routeDevice("198.51.100.7")).toBe(pair.vethB);
  }, 60_000);
});
