// Crash safety with real processes, as root: the agent is SIGKILLed with leases active and with a payment in
// flight, and wireguard-go is killed under a running agent. Nothing paid for is lost, nothing unpaid survives:
// the agent's wireguard-go dies with it, so no peer outlives its lease while the agent is down.
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { CreateLeaseResponse, WireError } from "@wg402/shared";
import { generateKeyPair, runCommand, startWireguardGo, type WireguardGoProcess } from "@wg402/wireguard";
import {
  createNetnsPair,
  describeOrSkip,
  execIn,
  type NetnsPair,
  pingFrom,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import express from "express";
import { bringUpClient, type PaidStack, postJson, startPaidStack } from "./support.ts";

const skip = await userspaceSkipReason({ needWg: true });

describeOrSkip(skip, "crash safety", () => {
  let dir: string;
  let stack: PaidStack;
  let pair: NetnsPair;
  let agent: AgentProcess | undefined;
  let stub: Server | undefined;
  let rogue: WireguardGoProcess | undefined;
  const iface = uniqueName("wgk");
  const octet = randomInt(1, 250);
  const subnet = `10.67.${octet}.0/24`;

  const env = (facilitatorUrl = stack.facilitatorUrl) => ({
    ...stack.agentEnv,
    AGENT_FACILITATOR_URL: facilitatorUrl,
    AGENT_DB_PATH: join(dir, "agent.sqlite"),
    AGENT_WG_MODE: "userspace",
    AGENT_WG_NETNS: pair.a,
    AGENT_WG_INTERFACE: iface,
    AGENT_WG_ENDPOINT_HOST: pair.addrA,
    AGENT_WG_SUBNET: subnet,
    AGENT_WG_ALLOWED_IPS: subnet,
    AGENT_WG_PRIVATE_KEY_FILE: join(dir, "agent.key"),
    AGENT_SECONDS_PER_MINUTE: "2",
    AGENT_METER_INTERVAL_SECONDS: "1",
  });
  const peers = async () => (await execIn(pair.a, "wg", ["show", iface, "peers"])).stdout.split("\n").filter(Boolean);
  const leaseAt = (id: string) => stack.leaseAsPayer(agent?.url ?? "", id);
  const buy = async (minutes: number, publicKey = generateKeyPair().publicKey) => {
    const response = await postJson(stack.paidFetch, `${agent?.url}/lease`, { publicKey, minutes });
    expect(response.status).toBe(201);
    return CreateLeaseResponse.parse(await response.json());
  };
  const leaseIdOf = (publicKey: string) => {
    const db = new DatabaseSync(join(dir, "agent.sqlite"), { readOnly: true });
    try {
      const row = db.prepare("SELECT id FROM leases WHERE public_key = ? AND state = 'active'").get(publicKey);
      return String((row as { id: string } | undefined)?.id);
    } finally {
      db.close();
    }
  };
  const wireguardGoPid = async () => {
    const { stdout } = await runCommand("pgrep", ["-f", `wireguard-go.* ${iface}$`]);
    const pids = stdout.trim().split("\n").map(Number);
    expect(pids).toHaveLength(1);
    return pids[0] as number;
  };
  const running = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const linkExists = () =>
    runCommand("ip", ["-n", pair.a, "link", "show", "dev", iface]).then(
      () => true,
      () => false,
    );
  /** Milliseconds until `probe` holds; fails past `timeoutMs`. */
  const within = async (timeoutMs: number, what: string, probe: () => Promise<boolean> | boolean) => {
    const started = performance.now();
    while (!(await probe())) {
      if (performance.now() - started > timeoutMs) throw new Error(`${what} took more than ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return performance.now() - started;
  };
  const sigkill = async (process: AgentProcess) => {
    const exited = new Promise((resolve) => process.child.once("exit", resolve));
    process.child.kill("SIGKILL");
    await exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-crash-"));
    stack = await startPaidStack(dir);
    pair = await createNetnsPair({ prefix: "wgx" });
  });

  afterAll(async () => {
    await agent?.stop();
    await new Promise((resolve) => (stub ? stub.close(resolve) : resolve(undefined)));
    await rogue?.stop();
    await pair?.cleanup();
    await stack?.stop();
    // The agent's wireguard-go dies with it, but a failed test may leave one behind; make sure none stays.
    await runCommand("pkill", ["-f", `wireguard-go.* ${iface}$`]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("takes the device down with a SIGKILLed agent; restart restores paid leases, not expired ones", async () => {
    agent = await startAgentProcess(env());
    const long = await buy(60);
    const short = await buy(1);
    expect((await peers()).sort()).toEqual([long.lease.publicKey, short.lease.publicKey].sort());
    const pid = await wireguardGoPid();
    await sigkill(agent);

    // wireguard-go dies with the agent and its interface goes: no peer can pass traffic past its expiry while
    // no agent is there to remove it.
    await within(2_000, "wireguard-go dying with the agent", () => !running(pid));
    await within(2_000, "the interface going", async () => !(await linkExists()));

    // While it is down: the short lease runs out, and a wireguard-go the agent did not start (by hand, as
    // wg-quick does) takes the name with a peer the ledger does not know.
    rogue = await startWireguardGo({ name: iface, netns: pair.a });
    const stranger = generateKeyPair().publicKey;
    await execIn(pair.a, "wg", ["set", iface, "peer", stranger, "allowed-ips", `10.67.${octet}.200/32`]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    agent = await startAgentProcess(env());
    expect(await rogue.exited).toBeTruthy(); // replaced by the agent's own
    const restored = await leaseAt(long.lease.id);
    expect(restored).toMatchObject({ state: "active", expiresAt: long.lease.expiresAt, address: long.lease.address });
    expect((await leaseAt(short.lease.id)).state).toBe("expired");
    expect(await peers()).toEqual([long.lease.publicKey]);
    const allowed = (await execIn(pair.a, "wg", ["show", iface, "allowed-ips"])).stdout.trim();
    expect(allowed).toBe(`${long.lease.publicKey}\t${long.lease.address}/32`);
    expect(await wireguardGoPid()).not.toBe(pid);

    // Long enough to outlive the later tests' device restarts: they expect every peer back.
    const fresh = await buy(60);
    expect([long.lease.address, short.lease.address]).not.toContain(fresh.lease.address);
    expect((await peers()).sort()).toEqual([long.lease.publicKey, fresh.lease.publicKey].sort());
  });

  it("grants a lease whose payment settled while the agent was being killed", async () => {
    // A facilitator in front of the real one that takes its time to settle, so the agent can die mid-way.
    const slow = express();
    slow.use(express.json());
    const forward = async (path: string, body: unknown) => {
      const response = await fetch(`${stack.facilitatorUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return response.json();
    };
    let settleStarted: () => void = () => {};
    const settling = new Promise<void>((resolve) => {
      settleStarted = resolve;
    });
    let settled: Promise<unknown> = Promise.resolve();
    slow.get("/supported", async (_req, res) => {
      res.json(await forward("/supported", undefined));
    });
    slow.post("/verify", async (req, res) => {
      res.json(await forward("/verify", req.body));
    });
    slow.post("/settle", async (req, res) => {
      settleStarted();
      settled = new Promise((resolve) => setTimeout(resolve, 1_500)).then(() => forward("/settle", req.body));
      res.json(await settled);
    });
    stub = slow.listen(0, "127.0.0.1");
    await new Promise((resolve) => stub?.once("listening", resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

    await agent?.stop();
    agent = await startAgentProcess(env(stubUrl));
    const publicKey = generateKeyPair().publicKey;
    const request = postJson(stack.paidFetch, `${agent.url}/lease`, { publicKey, minutes: 30 }).catch(
      (error: unknown) => error,
    );
    await settling;
    await sigkill(agent);
    expect(String(await request)).toMatch(/fetch failed|socket|closed/); // the buyer never got an answer
    expect(await settled).toMatchObject({ success: true });

    agent = await startAgentProcess(env());
    // The key is taken by the lease that payment bought: the lease is active and paid. (A 409 no longer names
    // the lease to whoever holds the key, so its id comes from the ledger.)
    const retry = await postJson(fetch, `${agent.url}/lease`, { publicKey, minutes: 30 });
    expect(retry.status).toBe(409);
    expect(WireError.parse(await retry.json()).error).toBe("lease_exists");
    const lease = await leaseAt(leaseIdOf(publicKey));
    expect(lease).toMatchObject({ state: "active", publicKey, totalPaid: "30000" });
    expect(lease.payments[0]?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await peers()).toContain(publicKey);
  });

  it("recreates a killed wireguard-go, re-applies every peer and keeps the meter", async () => {
    const keys = generateKeyPair();
    const metered = await buy(30, keys.publicKey);
    const client = await bringUpClient({
      dir,
      netns: pair.b,
      iface: uniqueName("wgq"),
      tunnel: metered.tunnel,
      privateKey: keys.privateKey,
    });
    const gateway = `10.67.${octet}.1`;
    try {
      await execIn(pair.b, "ping", ["-n", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", gateway]);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // one meter poll (1 s in this test)
      const counted = (await leaseAt(metered.lease.id)).usage;
      expect(counted.bytesUp).toBeGreaterThan(5_000);
      await killWireguardGoAndWait();
      // The node lost its sessions; the client re-handshakes once its own unanswered packets time out.
      await pingFrom(pair.b, gateway, 8);
      const after = (await leaseAt(metered.lease.id)).usage;
      expect(after.bytesUp).toBeGreaterThan(counted.bytesUp);
      expect(after.bytesDown).toBeGreaterThan(counted.bytesDown);
    } finally {
      await client.stop();
    }
  });

  async function killWireguardGoAndWait() {
    const before = new Set(await peers());
    expect(before.size).toBeGreaterThan(0);
    const { stdout } = await runCommand("pgrep", ["-f", `wireguard-go.* ${iface}$`]);
    const pid = Number(stdout.trim().split("\n")[0]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");

    const deadline = Date.now() + 30_000;
    let after = new Set<string>();
    while (Date.now() < deadline) {
      after = new Set(await peers().catch(() => []));
      if (after.size === before.size && [...before].every((key) => after.has(key))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after).toEqual(before);
    const { stdout: newPid } = await runCommand("pgrep", ["-f", `wireguard-go.* ${iface}$`]);
    expect(Number(newPid.trim().split("\n")[0])).not.toBe(pid);
  }
});
