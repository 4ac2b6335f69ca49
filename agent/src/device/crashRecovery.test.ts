import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { generateKeyPair, runCommand, startWireguardGo } from "@wg402/wireguard";
import { describeOrSkip, userspaceSkipReason } from "@wg402/wireguard/testing";
import { setupDevice } from "./setupDevice.ts";
import { isRunning } from "./terminatePid.ts";
import { linkExists, onlyWireguardGoPid, socketExists, waitFor } from "./testing/deviceProbes.ts";
import { createDeviceTestBed, type DeviceTestBed, LISTEN_PORT } from "./testing/deviceTestBed.ts";
import type { Device } from "./types.ts";

const skip = await userspaceSkipReason({ needWg: true });
const crashingAgent = fileURLToPath(new URL("./testing/crashingAgent.ts", import.meta.url));

const wgShow = async (netns: string, name: string, ...args: string[]) =>
  (await runCommand("wg", ["show", name, ...args], { netns })).stdout.trim();

/** Runs the stand-in agent until it has set up its device and added `peer`. */
async function startCrashingAgent(bed: DeviceTestBed, peer: string): Promise<ChildProcess> {
  const { logger: _, ...options } = bed.options();
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", crashingAgent], {
    env: { ...process.env, WG402_DEVICE: JSON.stringify({ ...options, peer }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the stand-in agent exited (${code}) before ready:\n${output}`)));
  });
  return child;
}

/** After a crash the new device must answer, carry the key file's identity, and start from no peers. */
async function expectWorkingFreshDevice(bed: DeviceTestBed, device: Device, publicKey: string): Promise<void> {
  expect(device.kind).toBe("userspace");
  expect(device.publicKey).toBe(publicKey);
  expect(await wgShow(bed.netns, bed.name, "public-key")).toBe(publicKey);
  expect(await wgShow(bed.netns, bed.name, "listen-port")).toBe(String(LISTEN_PORT));
  expect(await device.driver.listPeers()).toEqual([]);
  const peer = generateKeyPair().publicKey;
  await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.5/32"] }], remove: [] });
  expect((await device.driver.listPeers()).map((p) => p.publicKey)).toEqual([peer]);
}

describeOrSkip(skip, "setupDevice after a crashed run (root)", () => {
  let bed: DeviceTestBed;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    bed = await createDeviceTestBed("wgr");
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, "SIGKILL");
      }
    }
    await bed.cleanup();
  });

  it("takes wireguard-go and its interface down with a SIGKILLed agent; the next start begins fresh", async () => {
    const child = await startCrashingAgent(bed, generateKeyPair().publicKey);
    children.push(child);
    const pid = await onlyWireguardGoPid(bed.name);
    expect(await wgShow(bed.netns, bed.name, "peers")).not.toBe("");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    // No agent, no device: the peer cannot pass traffic, paid or not, until an agent is back to vouch for it.
    await waitFor("wireguard-go to die with its agent", async () => ((await isRunning(pid)) ? undefined : true), 2_000);
    await waitFor(
      "the interface to go",
      async () => ((await linkExists(bed.netns, bed.name)) ? undefined : true),
      2_000,
    );
    // A SIGKILLed wireguard-go cannot remove its control socket.
    expect(socketExists(bed.name)).toBe(true);

    const device = bed.track(await setupDevice(bed.options()));
    const fresh = await onlyWireguardGoPid(bed.name);
    expect(fresh).not.toBe(pid);
    await expectWorkingFreshDevice(bed, device, device.publicKey);
    const messages = bed.log.entries.map((entry) => entry.message);
    expect(messages).toContain("removing a stale wireguard-go control socket");
    expect(messages.filter((message) => message.includes("an earlier run left serving"))).toEqual([]);
    // The key file survived, so the node kept its identity.
    expect(messages).not.toContain("created a new WireGuard private key");

    await device.stop();
    expect(await isRunning(fresh)).toBe(false);
    expect(socketExists(bed.name)).toBe(false);
    expect(await linkExists(bed.netns, bed.name)).toBe(false);
  });

  it("replaces a wireguard-go that something else left serving the name", async () => {
    // The agent's own wireguard-go dies with it; this one was started the way wg-quick does (it daemonizes,
    // so init is its parent), as by hand, an older agent, or an agent killed while it was starting one.
    const first = bed.track(await setupDevice(bed.options()));
    const { publicKey } = first;
    await first.stop();
    await new Promise<void>((resolve, reject) => {
      const { LOG_LEVEL: _, ...env } = process.env;
      const launcher = spawn("ip", ["netns", "exec", bed.netns, "wireguard-go", bed.name], { env, stdio: "ignore" });
      launcher.once("error", reject);
      launcher.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wireguard-go exited ${code}`))));
    });
    const orphan = await onlyWireguardGoPid(bed.name);
    await waitFor("its control socket", async () => (socketExists(bed.name) ? true : undefined));
    await runCommand("wg", ["set", bed.name, "peer", generateKeyPair().publicKey, "allowed-ips", "10.64.9.9/32"], {
      netns: bed.netns,
    });
    expect(await wgShow(bed.netns, bed.name, "peers")).not.toBe("");

    const device = bed.track(await setupDevice(bed.options()));
    const fresh = await onlyWireguardGoPid(bed.name);
    expect(fresh).not.toBe(orphan);
    expect(await isRunning(orphan)).toBe(false);
    await expectWorkingFreshDevice(bed, device, publicKey);
    const warning = bed.log.entries.find((entry) => entry.message.includes("an earlier run left serving"));
    expect(warning?.fields).toEqual({ interface: bed.name, pid: orphan });

    await device.stop();
    expect(await isRunning(fresh)).toBe(false);
    expect(socketExists(bed.name)).toBe(false);
    expect(await linkExists(bed.netns, bed.name)).toBe(false);
  });

  it("starts over a stale socket that a dead wireguard-go left", async () => {
    const first = bed.track(await setupDevice(bed.options()));
    const { publicKey } = first;
    await first.stop();
    // A wireguard-go killed together with its agent: the socket stays, the TUN goes.
    const dead = await startWireguardGo({ name: bed.name, netns: bed.netns });
    process.kill(dead.pid, "SIGKILL");
    await dead.exited;
    expect(socketExists(bed.name)).toBe(true);
    await waitFor("the dead TUN to go", async () => ((await linkExists(bed.netns, bed.name)) ? undefined : true));

    const device = bed.track(await setupDevice(bed.options()));
    await expectWorkingFreshDevice(bed, device, publicKey);
    expect(bed.log.entries.map((entry) => entry.message)).toContain("removing a stale wireguard-go control socket");
  });

  it("deletes a persistent TUN left under the name", async () => {
    await runCommand("ip", ["tuntap", "add", "name", bed.name, "mode", "tun"], { netns: bed.netns });
    const device = bed.track(await setupDevice(bed.options()));
    await expectWorkingFreshDevice(bed, device, device.publicKey);
    const warning = bed.log.entries.find((entry) => entry.message === "deleting a link an earlier run left behind");
    expect(warning?.fields).toMatchObject({ interface: bed.name, kind: "tun" });
  });

  it("refuses to touch a foreign link with the name, and leaves nothing running", async () => {
    const peerName = `${bed.name.slice(0, 13)}pb`;
    await runCommand("ip", ["link", "add", bed.name, "type", "veth", "peer", "name", peerName], { netns: bed.netns });
    await expect(setupDevice(bed.options())).rejects.toThrow(
      `${bed.name} in netns ${bed.netns} already exists as a veth link that is not a WireGuard interface`,
    );
    expect(await linkExists(bed.netns, bed.name)).toBe(true);
    expect(socketExists(bed.name)).toBe(false);
    await expect(onlyWireguardGoPid(bed.name)).rejects.toThrow(/found \[\]/);
  });
});
