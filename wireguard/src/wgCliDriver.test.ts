import { describeDriverContract } from "./driverContract.ts";
import { generateKeyPair } from "./keys.ts";
import { kernelSkipReason, namespacedDriverFixture, userspaceSkipReason } from "./testing/wireguardFixture.ts";
import { WgCliDriver } from "./wgCliDriver.ts";

const userspaceSkip = await userspaceSkipReason({ needWg: true });
const kernelSkip = await kernelSkipReason();

// `wg` speaks UAPI to wireguard-go, so the CLI back end is fully exercised even without the kernel module.
describeDriverContract("wg-cli (wireguard-go)", namespacedDriverFixture("wg-cli"), { skip: userspaceSkip });
describeDriverContract("wg-cli (kernel)", namespacedDriverFixture("wg-cli", "kernel"), { skip: kernelSkip });

describe("WgCliDriver", () => {
  it("reports a missing interface as io", async () => {
    const driver = new WgCliDriver({ interfaceName: "wgnonexist0" });
    await expect(driver.listPeers()).rejects.toMatchObject({ code: "io" });
    await driver.close();
  });

  it("reports a missing wg binary as io", async () => {
    const driver = new WgCliDriver({ interfaceName: "wg0", wgPath: "/nonexistent/wg" });
    await expect(
      driver.apply({ upsert: [{ publicKey: generateKeyPair().publicKey, allowedIps: [] }], remove: [] }),
    ).rejects.toMatchObject({ code: "io" });
    await driver.close();
  });

  it("refuses unsafe names before running anything", () => {
    expect(() => new WgCliDriver({ interfaceName: "-h" })).toThrow(
      expect.objectContaining({ code: "invalid_argument" }),
    );
    expect(() => new WgCliDriver({ interfaceName: "wg0", netns: "../x" })).toThrow(
      expect.objectContaining({ code: "invalid_argument" }),
    );
  });
});
