import { describeDriverContract } from "./driverContract.ts";
import { generateKeyPair } from "./keys.ts";
import { describeOrSkip } from "./testing/describeOrSkip.ts";
import { createNetnsPair, type NetnsPair } from "./testing/netns.ts";
import {
  namespacedDriverFixture,
  startTestInterface,
  type TestInterface,
  userspaceSkipReason,
} from "./testing/wireguardFixture.ts";
import { UapiClient } from "./uapiClient.ts";
import { UapiDriver } from "./uapiDriver.ts";
import { startWireguardGo } from "./wireguardGo.ts";

const skip = await userspaceSkipReason();

describeDriverContract("uapi (wireguard-go)", namespacedDriverFixture("uapi"), { skip });

describeOrSkip(skip, "UapiDriver against a real wireguard-go", () => {
  let pair: NetnsPair | undefined;
  let iface: TestInterface | undefined;

  beforeEach(async () => {
    pair = await createNetnsPair({ prefix: "wgu" });
    iface = await startTestInterface({ netns: pair.a, address: "10.98.0.1/24", listenPort: 51820 });
  });

  afterEach(async () => {
    await iface?.stop();
    await pair?.cleanup();
    iface = undefined;
    pair = undefined;
  });

  const socketPath = () => iface?.process?.socketPath ?? "";

  it("turns a device errno into a WireguardError and recovers on the same client", async () => {
    const client = new UapiClient({ socketPath: socketPath() });
    try {
      // Bypasses the driver's own checks to see what the device itself answers.
      await expect(client.request("set=1\npublic_key=zz\nremove=true\n\n")).rejects.toMatchObject({
        code: "errno",
        errno: -22,
      });
      await expect(client.request("set=1\nlisten_port=99999\n\n")).rejects.toMatchObject({ errno: -22 });
      const body = await client.request("get=1\n\n");
      expect(body).toMatch(/^listen_port=51820$/m);
    } finally {
      await client.close();
    }
  });

  it("reconnects after wireguard-go restarts, and sees the restart as an empty device", async () => {
    const name = iface?.name ?? "";
    const driver = new UapiDriver({ socketPath: socketPath() });
    const key = generateKeyPair().publicKey;
    try {
      await driver.apply({ upsert: [{ publicKey: key, allowedIps: ["10.98.0.2/32"] }], remove: [] });
      expect((await driver.listPeers()).map((p) => p.publicKey)).toEqual([key]);

      await iface?.stop();
      await expect(driver.listPeers()).rejects.toMatchObject({ code: "io" });

      const again = await startWireguardGo({ name, netns: pair?.a });
      try {
        expect(await driver.listPeers()).toEqual([]);
        await driver.apply({ upsert: [{ publicKey: key, allowedIps: ["10.98.0.2/32"] }], remove: [] });
        expect((await driver.listPeers()).map((p) => [p.publicKey, p.allowedIps])).toEqual([[key, ["10.98.0.2/32"]]]);
      } finally {
        await again.stop();
      }
    } finally {
      await driver.close();
    }
  });

  it("serialises concurrent calls on its one connection", async () => {
    const driver = new UapiDriver({ socketPath: socketPath() });
    const keys = Array.from({ length: 50 }, () => generateKeyPair().publicKey);
    try {
      const results = await Promise.all(
        keys.flatMap((publicKey, i) => [
          driver.apply({ upsert: [{ publicKey, allowedIps: [`10.98.1.${i}/32`] }], remove: [] }),
          driver.listPeers(),
        ]),
      );
      // Call order is kept: the listing after the n-th apply sees at least n peers.
      results.forEach((result, i) => {
        if (i % 2 === 1) expect((result as unknown[]).length).toBe((i + 1) / 2);
      });
      expect((await driver.listPeers()).length).toBe(50);
    } finally {
      await driver.close();
    }
  });
});
