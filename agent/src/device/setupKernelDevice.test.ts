import { generateKeyPair, runCommand } from "@wg402/wireguard";
import { describeOrSkip, kernelSkipReason } from "@wg402/wireguard/testing";
import { loadOrCreatePrivateKey } from "./privateKeyFile.ts";
import { setupDevice } from "./setupDevice.ts";
import { linkExists } from "./testing/deviceProbes.ts";
import { createDeviceTestBed, type DeviceTestBed, LISTEN_PORT, TUNNEL_ADDRESS } from "./testing/deviceTestBed.ts";

describeOrSkip(await kernelSkipReason(), "setupDevice, kernel (root, kernel module)", () => {
  let bed: DeviceTestBed;
  beforeEach(async () => {
    bed = await createDeviceTestBed("wgk");
  });
  afterEach(async () => {
    await bed.cleanup();
  });

  it("creates a configured kernel link driven by `wg`, reuses it after a crash, and stop() deletes it", async () => {
    const device = bed.track(await setupDevice(bed.options({ mode: "kernel" })));
    const key = await loadOrCreatePrivateKey(bed.keyFile);
    expect(device.kind).toBe("kernel");
    expect(device.driver.kind).toBe("wg-cli");
    expect(device.publicKey).toBe(key.publicKey);
    expect(device.describe).toBe(
      `kernel WireGuard ${bed.name} in netns ${bed.netns}, port ${LISTEN_PORT}, ${TUNNEL_ADDRESS}`,
    );
    const { stdout } = await runCommand("wg", ["show", bed.name, "listen-port"], { netns: bed.netns });
    expect(stdout.trim()).toBe(String(LISTEN_PORT));
    const peer = generateKeyPair().publicKey;
    await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.0.7/32"] }], remove: [] });

    // A crashed agent leaves the link with its peers; the next start keeps both.
    const again = bed.track(await setupDevice(bed.options({ mode: "kernel" })));
    expect((await again.driver.listPeers()).map((p) => p.publicKey)).toEqual([peer]);
    await again.stop();
    expect(await linkExists(bed.netns, bed.name)).toBe(false);
  });
});
