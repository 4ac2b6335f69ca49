import { generateKeyPair, runCommand } from "@wg402/wireguard";
import { describeOrSkip, userspaceSkipReason } from "@wg402/wireguard/testing";
import { loadOrCreatePrivateKey } from "./privateKeyFile.ts";
import { setupDevice } from "./setupDevice.ts";
import { isRunning } from "./terminatePid.ts";
import { linkExists, onlyWireguardGoPid, socketExists, waitFor } from "./testing/deviceProbes.ts";
import { createDeviceTestBed, type DeviceTestBed, LISTEN_PORT, TUNNEL_ADDRESS } from "./testing/deviceTestBed.ts";
import type { Device } from "./types.ts";

const skip = await userspaceSkipReason({ needWg: true });

const wgShow = async (netns: string, name: string, ...args: string[]) =>
  (await runCommand("wg", ["show", name, ...args], { netns })).stdout.trim();

describeOrSkip(skip, "setupDevice, userspace (root)", () => {
  let bed: DeviceTestBed;
  beforeEach(async () => {
    bed = await createDeviceTestBed("wgu");
  });
  afterEach(async () => {
    await bed.cleanup();
  });

  it("runs a configured wireguard-go whose driver manages peers, and stop() removes it all", async () => {
    const device = bed.track(await setupDevice(bed.options()));
    const { name, netns } = bed;
    const key = await loadOrCreatePrivateKey(bed.keyFile);

    expect(device.kind).toBe("userspace");
    expect(device.driver.kind).toBe("uapi");
    expect(device.publicKey).toBe(key.publicKey);
    expect(device.describe).toBe(`wireguard-go ${name} in netns ${netns}, port ${LISTEN_PORT}, ${TUNNEL_ADDRESS}`);
    // What the device itself says.
    expect(await wgShow(netns, name, "public-key")).toBe(key.publicKey);
    expect(await wgShow(netns, name)).toContain(`listening port: ${LISTEN_PORT}`);
    const { stdout: addr } = await runCommand("ip", ["-o", "addr", "show", "dev", name], { netns });
    expect(addr).toContain(`inet ${TUNNEL_ADDRESS}`);
    const { stdout: link } = await runCommand("ip", ["link", "show", "dev", name], { netns });
    expect(link).toMatch(/<[^>]*\bUP\b[^>]*>/);
    // The interface is in the namespace, not in ours.
    expect(await linkExists(bed.pair.b, name)).toBe(false);
    expect(bed.log.entries.map((entry) => entry.message)).toEqual(
      expect.arrayContaining(["created a new WireGuard private key", `started ${device.describe}`]),
    );
    expect(bed.log.text()).not.toContain(key.privateKey);

    const peer = generateKeyPair().publicKey;
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.7/32"] }], remove: [] });
    expect(await device.driver.listPeers()).toEqual([
      { publicKey: peer, allowedIps: ["10.64.0.7/32"], endpoint: null, rxBytes: 0, txBytes: 0, lastHandshakeAt: null },
    ]);
    expect(await wgShow(netns, name, "allowed-ips")).toBe(`${peer}\t10.64.0.7/32`);

    const pid = await onlyWireguardGoPid(name);
    await device.stop();
    expect(await isRunning(pid)).toBe(false);
    expect(socketExists(name)).toBe(false);
    expect(await linkExists(netns, name)).toBe(false);
    await expect(device.driver.listPeers()).rejects.toMatchObject({ code: "closed" });
    await device.stop();
  });

  it("restarts wireguard-go after kill -9, calls onRecreated, and the same driver works again", async () => {
    const device = bed.track(await setupDevice(bed.options()));
    const { name, netns } = bed;
    const before = await onlyWireguardGoPid(name);
    const peer = generateKeyPair().publicKey;
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.8/32"] }], remove: [] });

    let recreated = 0;
    let unsubscribed = 0;
    device.onRecreated(() => {
      recreated++;
    });
    const unsubscribe = device.onRecreated(() => {
      unsubscribed++;
    });
    unsubscribe();
    // A failing listener is logged and does not stop the others.
    device.onRecreated(() => {
      throw new Error("listener boom");
    });

    process.kill(before, "SIGKILL");
    await waitFor("onRecreated", async () => (recreated > 0 ? true : undefined), 30_000);
    expect(recreated).toBe(1);
    expect(unsubscribed).toBe(0);

    const after = await onlyWireguardGoPid(name);
    expect(after).not.toBe(before);
    expect(await isRunning(before)).toBe(false);
    // Recreated means empty: the agent has to re-apply its peers, through the very same driver object.
    expect(await device.driver.listPeers()).toEqual([]);
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.8/32"] }], remove: [] });
    expect((await device.driver.listPeers()).map((p) => [p.publicKey, p.allowedIps])).toEqual([
      [peer, ["10.64.0.8/32"]],
    ]);
    expect(await wgShow(netns, name, "public-key")).toBe(device.publicKey);
    expect(await wgShow(netns, name, "listen-port")).toBe(String(LISTEN_PORT));
    const { stdout: addr } = await runCommand("ip", ["-o", "addr", "show", "dev", name], { netns });
    expect(addr).toContain(`inet ${TUNNEL_ADDRESS}`);

    const messages = bed.log.entries.map((entry) => `${entry.level} ${entry.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "error wireguard-go exited unexpectedly; restarting it",
        "warn wireguard-go restarted; every peer must be re-applied",
        "error an onRecreated listener failed",
      ]),
    );
    const exitEntry = bed.log.entries.find((entry) => entry.message.startsWith("wireguard-go exited"));
    expect(exitEntry?.fields).toMatchObject({ pid: before, exit: { code: null, signal: "SIGKILL" } });

    await device.stop();
    expect(await isRunning(after)).toBe(false);
    expect(socketExists(name)).toBe(false);
  });

  it("recreates the device when its link is deleted behind its back", async () => {
    const device = bed.track(await setupDevice(bed.options()));
    const { name, netns } = bed;
    const before = await onlyWireguardGoPid(name);
    let recreated = false;
    device.onRecreated(() => {
      recreated = true;
    });
    await runCommand("ip", ["link", "del", "dev", name], { netns });
    await waitFor("onRecreated", async () => (recreated ? true : undefined), 30_000);
    expect(await onlyWireguardGoPid(name)).not.toBe(before);
    expect(await wgShow(netns, name, "public-key")).toBe(device.publicKey);
    const peer = generateKeyPair().publicKey;
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.9/32"] }], remove: [] });
    expect((await device.driver.listPeers()).map((p) => p.publicKey)).toEqual([peer]);
  });

  it("keeps retrying with backoff while wireguard-go cannot start, and stop() ends the retries", async () => {
    const device: Device = bed.track(await setupDevice(bed.options()));
    const { name, netns } = bed;
    let recreated = false;
    device.onRecreated(() => {
      recreated = true;
    });
    // Block the name with a link that is not ours: every relaunch refuses to touch it.
    const pid = await onlyWireguardGoPid(name);
    process.kill(pid, "SIGKILL");
    await waitFor("the old link to go", async () => ((await linkExists(netns, name)) ? undefined : true));
    await runCommand("ip", ["link", "add", name, "type", "veth", "peer", "name", `${name.slice(0, 13)}pb`], {
      netns,
    });
    await waitFor("two failed restarts", async () => {
      const failures = bed.log.entries.filter((entry) => entry.message.startsWith("restarting wireguard-go failed"));
      return failures.length >= 2 ? failures : undefined;
    });
    expect(bed.log.text()).toMatch(/restarting wireguard-go failed; will retry .*already exists as a veth link/);
    expect(recreated).toBe(false);

    const started = Date.now();
    await device.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    const count = bed.log.entries.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bed.log.entries.length).toBe(count);
    expect(socketExists(name)).toBe(false);
  });
});
