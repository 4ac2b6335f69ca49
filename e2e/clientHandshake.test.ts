// "Connected" means a WireGuard handshake, not a paid lease. The real `wg402` CLI against a real agent with a
// wireguard-go interface in one network namespace, the client's tunnel in another, and a firewall rule in the
// node's namespace dropping UDP to its WireGuard port: connect must give up within 15 s with the reason, close
// the lease and pay nothing more; a tunnel that goes quiet mid-session must stall and stop paying. What was
// paid is read from the chain's Transfer logs. Skips with the reason where root is missing.
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import type { Hex } from "viem";
import { type CliProcess, spawnCli, waitForEvent } from "./cliProcess.ts";
import { type PaidStack, startPaidStack } from "./support.ts";

const SECONDS_PER_MINUTE = 4;
const WG_PORT = 51820;
const skip = await userspaceSkipReason({ needWg: true });
const iptablesSkip = skip ?? ((await runCommand("iptables", ["--version"]).catch(() => null)) ? null : "no iptables");

describeOrSkip(iptablesSkip, "wg402 connect and a node whose UDP is dropped", () => {
  let dir: string;
  let stack: PaidStack;
  let pair: NetnsPair;
  let agent: AgentProcess;
  let baseEnv: Record<string, string>;
  const agentIface = uniqueName("wgh");
  const octet = randomInt(1, 250);
  const gateway = `10.69.${octet}.1`;
  const dropRule = ["INPUT", "-p", "udp", "--dport", String(WG_PORT), "-j", "DROP"];
  const blockUdp = () => execIn(pair.a, "iptables", ["-I", ...dropRule]);
  const unblockUdp = () => execIn(pair.a, "iptables", ["-D", ...dropRule]).catch(() => undefined);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-handshake-e2e-"));
    stack = await startPaidStack(dir);
    pair = await createNetnsPair({ prefix: "wgh" });
    await execIn(pair.b, "ip", ["route", "add", "default", "via", pair.addrA]);
    agent = await startAgentProcess({
      ...stack.agentEnv,
      AGENT_DB_PATH: join(dir, "agent.sqlite"),
      AGENT_WG_MODE: "userspace",
      AGENT_WG_NETNS: pair.a,
      AGENT_WG_INTERFACE: agentIface,
      AGENT_WG_LISTEN_PORT: String(WG_PORT),
      AGENT_WG_ENDPOINT_HOST: pair.addrA,
      AGENT_WG_SUBNET: `10.69.${octet}.0/24`,
      AGENT_WG_DNS: "",
      AGENT_WG_PRIVATE_KEY_FILE: join(dir, "agent.key"),
      AGENT_SECONDS_PER_MINUTE: String(SECONDS_PER_MINUTE),
    });
    const stackFile = join(dir, "local.json");
    await writeLocalStack(
      { ...stack.chain.stack, services: { ...stack.chain.stack.services, agent: agent.url } },
      stackFile,
    );
    baseEnv = { WG402_STACK_FILE: stackFile, WG402_RPC_URL_LOCAL: stack.chain.rpcUrl };
  });

  afterAll(async () => {
    await unblockUdp();
    await agent?.stop();
    await pair?.cleanup();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let homes = 0;
  async function payer(amount: bigint): Promise<{ env: Record<string, string>; address: Hex }> {
    const wallet = await stack.fundedWallet(amount);
    const env = { ...baseEnv, WG402_HOME: join(dir, `home-${homes++}`), WG402_PRIVATE_KEY: wallet.privateKey };
    return { env, address: wallet.address };
  }

  async function cleanUp(run: CliProcess, iface: string): Promise<void> {
    run.child.kill("SIGKILL");
    await unblockUdp();
    await runCommand("ip", ["-n", pair.b, "link", "del", iface]).catch(() => undefined);
  }

  it("gives up within 15 s with the reason, closes the lease and pays exactly once", async () => {
    const { env, address } = await payer(100_000n);
    const iface = uniqueName("wgh");
    await blockUdp();
    const run = spawnCli(
      [
        "connect",
        agent.url,
        "--json",
        "--minutes",
        "5",
        "--auto-renew",
        "--driver",
        "userspace",
        "--netns",
        pair.b,
        "--interface",
        iface,
      ],
      env,
    );
    try {
      // Counted from the plan (the CLI running and the node read): paying, the give-up timeout and the close.
      // Node's own start-up under a loaded CI machine is not the tunnel's doing.
      await waitForEvent(run, "plan");
      const started = Date.now();
      const code = await run.exited;
      expect(Date.now() - started).toBeLessThanOrEqual(15_000);
      expect(code).toBe(10);
      expect(run.junk).toEqual([]);
      const names = run.events.map((e) => e.event);
      expect(names).not.toContain("connected");
      expect(names.slice(0, 2)).toEqual(["plan", "leased"]);
      const leased = run.events[1] as { leaseId: string; amount: string };
      expect(leased.amount).toBe("5000");

      const [error] = run
        .stderr()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, string>);
      expect(error).toMatchObject({ error: "no_handshake" });
      expect(error?.message).toContain(`no handshake from the node: UDP to ${pair.addrA}:${WG_PORT} may be blocked`);
      expect(error?.message).toMatch(/0\.005 tUSD .*not refunded/);

      const lease = LeaseSummary.parse(await (await fetch(`${agent.url}/lease/${leased.leaseId}`)).json());
      expect(lease.state).toBe("closed");
      // The chain is the judge: one transfer, the first payment, and nothing after it.
      await new Promise((resolve) => setTimeout(resolve, SECONDS_PER_MINUTE * 1000));
      expect(await stack.transfersFrom(address)).toEqual([expect.objectContaining({ value: 5_000n })]);
      expect(await stack.balanceOf(address)).toBe(100_000n - 5_000n);
      await expect(execIn(pair.b, "ip", ["link", "show", iface])).rejects.toThrow();
    } finally {
      await cleanUp(run, iface);
    }
  }, 60_000);

  it("stalls when the node's UDP is dropped mid-session and pays no renewal after that", async () => {
    const { env, address } = await payer(100_000n);
    const iface = uniqueName("wgh");
    const run = spawnCli(
      [
        "connect",
        agent.url,
        "--json",
        "--minutes",
        "2",
        "--auto-renew",
        "--renew-minutes",
        "1",
        "--stale-after",
        "2",
        "--driver",
        "userspace",
        "--netns",
        pair.b,
        "--interface",
        iface,
      ],
      env,
    );
    let ping: ChildProcess | undefined;
    try {
      const connected = await waitForEvent(run, "connected");
      expect(connected).toMatchObject({ link: { state: "connected", evidence: "device" } });
      // Traffic keeps a healthy tunnel's counters moving between WireGuard's two-minute handshakes.
      ping = spawn("ip", ["netns", "exec", pair.b, "ping", "-n", "-i", "0.2", gateway], { stdio: "ignore" });
      await waitForEvent(run, "renewed", 1, 20_000);

      await blockUdp();
      const stalled = await waitForEvent(run, "stalled", 1, 20_000);
      expect(stalled).toMatchObject({ link: { state: "stalled" } });
      const renewalsBefore = run.events.filter((e) => e.event === "renewed").length;
      expect(await waitForEvent(run, "expired", 1, 30_000)).toMatchObject({ cause: "stalled" });
      await waitForEvent(run, "blocked");

      const names = run.events.map((e) => e.event);
      expect(names.slice(names.indexOf("stalled"))).not.toContain("renewed");
      const transfers = await stack.transfersFrom(address);
      expect(transfers).toHaveLength(1 + renewalsBefore);
      expect(transfers.map((t) => t.value)).toEqual([2_000n, ...Array(renewalsBefore).fill(1_000n)]);

      run.child.kill("SIGINT");
      expect(await run.exited).toBe(10);
      expect(run.junk).toEqual([]);
      expect(await stack.transfersFrom(address)).toHaveLength(1 + renewalsBefore);
    } finally {
      ping?.kill("SIGKILL");
      await cleanUp(run, iface);
    }
  }, 90_000);
});
