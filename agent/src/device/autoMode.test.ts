import { detectWireguardSupport, generateKeyPair } from "@wg402/wireguard";
import { describeOrSkip, userspaceSkipReason } from "@wg402/wireguard/testing";
import { setupDevice } from "./setupDevice.ts";
import { linkExists, socketExists } from "./testing/deviceProbes.ts";
import { createDeviceTestBed, type DeviceTestBed } from "./testing/deviceTestBed.ts";

describeOrSkip(await userspaceSkipReason({ needWg: true }), "setupDevice, auto (root)", () => {
  let bed: DeviceTestBed;
  beforeEach(async () => {
    bed = await createDeviceTestBed("wgo");
  });
  afterEach(async () => {
    await bed.cleanup();
  });

  it("picks kernel WireGuard when the kernel has it, else wireguard-go", async () => {
    const { kernel } = await detectWireguardSupport();
    if (!kernel) console.warn("auto mode: this kernel has no WireGuard, so wireguard-go is expected");
    const device = bed.track(await setupDevice(bed.options({ mode: "auto" })));
    expect(device.kind).toBe(kernel ? "kernel" : "userspace");
    expect(device.driver.kind).toBe(kernel ? "wg-cli" : "uapi");
    expect(socketExists(bed.name)).toBe(!kernel);
    const peer = generateKeyPair().publicKey;
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.3/32"] }], remove: [] });
    expect((await device.driver.listPeers()).map((p) => p.publicKey)).toEqual([peer]);
    await device.stop();
    expect(await linkExists(bed.netns, bed.name)).toBe(false);
    expect(socketExists(bed.name)).toBe(false);
  });
});
