import { generateKeyPair, runCommand } from "@wg402/wireguard";
import {
  describeOrSkip,
  kernelSkipReason,
  startTestInterface,
  type TestInterface,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { setupDevice } from "./setupDevice.ts";
import { isRunning } from "./terminatePid.ts";
import { linkExists, socketExists } from "./testing/deviceProbes.ts";
import { createDeviceTestBed, type DeviceTestBed } from "./testing/deviceTestBed.ts";

const wgShow = async (netns: string, name: string, ...args: string[]) =>
  (await runCommand("wg", ["show", name, ...args], { netns })).stdout.trim();

async function adoptAndCheck(bed: DeviceTestBed, iface: TestInterface, driverKind: string, label: string) {
  bed.trackName(iface.name);
  const device = await setupDevice(
    // The configured port differs on purpose: adoption must report it and change nothing.
    bed.options({ mode: "adopt", interfaceName: iface.name, listenPort: iface.listenPort + 1 }),
  );
  expect(device.kind).toBe("adopted");
  expect(device.driver.kind).toBe(driverKind);
  expect(device.publicKey).toBe(iface.keys.publicKey);
  expect(device.describe).toBe(
    `${label} ${iface.name} in netns ${bed.netns}, port ${iface.listenPort}, ${iface.address}/24`,
  );
  const warning = bed.log.entries.find((entry) => entry.message.includes("listens on another port"));
  expect(warning?.fields).toEqual({ interface: iface.name, expected: iface.listenPort + 1, actual: iface.listenPort });
  expect(bed.log.text()).not.toContain(iface.keys.privateKey);

  const peer = generateKeyPair().publicKey;
  await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.97.0.9/32"] }], remove: [] });
  expect((await device.driver.listPeers()).map((p) => p.publicKey)).toEqual([peer]);

  await device.stop();
  // Left as it was: running, same key and port, our peer still there.
  expect(await linkExists(bed.netns, iface.name)).toBe(true);
  expect(await wgShow(bed.netns, iface.name, "public-key")).toBe(iface.keys.publicKey);
  expect(await wgShow(bed.netns, iface.name, "listen-port")).toBe(String(iface.listenPort));
  expect(await wgShow(bed.netns, iface.name, "peers")).toBe(peer);
  return device;
}

describeOrSkip(await userspaceSkipReason({ needWg: true }), "setupDevice, adopt (root)", () => {
  let bed: DeviceTestBed;
  const ifaces: TestInterface[] = [];
  beforeEach(async () => {
    bed = await createDeviceTestBed("wga");
  });
  afterEach(async () => {
    for (const iface of ifaces.splice(0)) await iface.stop().catch(() => undefined);
    await bed.cleanup();
  });

  it("adopts a running wireguard-go over UAPI, reads its key, and stop() leaves it running", async () => {
    const iface = await startTestInterface({ netns: bed.netns, address: "10.97.0.1/24", listenPort: 51830 });
    ifaces.push(iface);
    await adoptAndCheck(bed, iface, "uapi", "adopted wireguard-go");
    expect(await isRunning(iface.process?.pid ?? -1)).toBe(true);
    expect(socketExists(iface.name)).toBe(true);
  });

  it("fails clearly when there is nothing to adopt", async () => {
    const name = uniqueName("wgn");
    await expect(setupDevice(bed.options({ mode: "adopt", interfaceName: name }))).rejects.toThrow(
      `cannot adopt WireGuard interface ${name}: \`wg show ${name}\` in netns ${bed.netns} failed`,
    );
  });

  it("refuses an interface with no private key", async () => {
    const iface = await startTestInterface({ netns: bed.netns, address: "10.97.0.1/24", listenPort: 51831 });
    ifaces.push(iface);
    await runCommand("wg", ["set", iface.name, "private-key", "/dev/null"], { netns: bed.netns });
    await expect(setupDevice(bed.options({ mode: "adopt", interfaceName: iface.name }))).rejects.toThrow(
      `cannot adopt WireGuard interface ${iface.name} in netns ${bed.netns}: it has no private key set`,
    );
  });
});

describeOrSkip(await kernelSkipReason(), "setupDevice, adopt kernel WireGuard (root, kernel module)", () => {
  let bed: DeviceTestBed;
  const ifaces: TestInterface[] = [];
  beforeEach(async () => {
    bed = await createDeviceTestBed("wgak");
  });
  afterEach(async () => {
    for (const iface of ifaces.splice(0)) await iface.stop().catch(() => undefined);
    await bed.cleanup();
  });

  it("adopts a kernel interface through `wg`, and stop() leaves it", async () => {
    const iface = await startTestInterface({
      netns: bed.netns,
      address: "10.97.0.1/24",
      listenPort: 51832,
      device: "kernel",
    });
    ifaces.push(iface);
    await adoptAndCheck(bed, iface, "wg-cli", "adopted kernel WireGuard");
  });
});
