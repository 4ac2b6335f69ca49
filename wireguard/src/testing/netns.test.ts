import { existsSync } from "node:fs";
import { generateKeyPair } from "../keys.ts";
import { UapiDriver } from "../uapiDriver.ts";
import { describeOrSkip } from "./describeOrSkip.ts";
import { createNetnsPair, execIn, listNetns, type NetnsPair } from "./netns.ts";
import {
  pingFrom,
  setClientPeer,
  startTestInterface,
  type TestInterface,
  userspaceSkipReason,
} from "./wireguardFixture.ts";

const skip = await userspaceSkipReason();

function alive(pid: number): boolean {
  // Never signal pid <= 0: that addresses process groups or every process.
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeOrSkip(skip, "network namespaces (root)", () => {
  it("createNetnsPair joins two fresh namespaces with a veth, and cleanup removes them", async () => {
    const pair = await createNetnsPair({ prefix: "wgn" });
    try {
      expect(await listNetns()).toEqual(expect.arrayContaining([pair.a, pair.b]));
      expect(pair.a).not.toBe(pair.b);
      expect(pair.vethA.length).toBeLessThanOrEqual(15);
      const ping = await execIn(pair.a, "ping", ["-n", "-c", "1", "-W", "5", pair.addrB]);
      expect(ping.stdout).toMatch(/1 received/);
      // The addresses exist only inside the pair.
      const { stdout } = await execIn(pair.a, "ip", ["-o", "addr", "show", "dev", pair.vethA]);
      expect(stdout).toContain(`${pair.addrA}/${pair.prefixLength}`);
    } finally {
      await pair.cleanup();
    }
    const left = await listNetns();
    expect(left).not.toContain(pair.a);
    expect(left).not.toContain(pair.b);
    await pair.cleanup();
  });

  it("two wireguard-go peers configured by UapiDriver pass a ping, counted on both sides, and leave nothing behind", async () => {
    let pair: NetnsPair | undefined;
    const ifaces: TestInterface[] = [];
    const drivers: UapiDriver[] = [];
    const startedAt = Date.now();
    try {
      pair = await createNetnsPair({ prefix: "wgn" });
      const server = await startTestInterface({ netns: pair.a, address: "10.98.0.1/24", listenPort: 51820 });
      ifaces.push(server);
      const client = await startTestInterface({
        netns: pair.b,
        address: "10.98.0.2/24",
        listenPort: 51821,
        keys: generateKeyPair(),
      });
      ifaces.push(client);
      const serverDriver = new UapiDriver({ socketPath: server.process?.socketPath ?? "" });
      const clientDriver = new UapiDriver({ socketPath: client.process?.socketPath ?? "" });
      drivers.push(serverDriver, clientDriver);

      // The server learns the client's endpoint from the handshake; the client is told where the server is.
      await serverDriver.apply({
        upsert: [{ publicKey: client.keys.publicKey, allowedIps: ["10.98.0.2/32"] }],
        remove: [],
      });
      await setClientPeer(client, {
        publicKey: server.keys.publicKey,
        endpoint: `${pair.addrA}:51820`,
        allowedIps: [],
      });
      await clientDriver.apply({
        upsert: [{ publicKey: server.keys.publicKey, allowedIps: ["10.98.0.1/32"] }],
        remove: [],
      });

      const before = await serverDriver.listPeers();
      expect(before).toEqual([
        {
          publicKey: client.keys.publicKey,
          allowedIps: ["10.98.0.2/32"],
          endpoint: null,
          rxBytes: 0,
          txBytes: 0,
          lastHandshakeAt: null,
        },
      ]);

      expect(await pingFrom(pair.b, "10.98.0.1")).toMatch(/1 received/);
      // Three more, through the established session.
      expect((await execIn(pair.b, "ping", ["-n", "-c", "3", "-i", "0.2", "-W", "5", "10.98.0.1"])).stdout).toMatch(
        /3 received/,
      );

      const [seenByServer] = await serverDriver.listPeers();
      const [seenByClient] = await clientDriver.listPeers();
      expect(seenByServer?.publicKey).toBe(client.keys.publicKey);
      expect(seenByServer?.endpoint).toBe(`${pair.addrB}:51821`);
      expect(seenByClient?.endpoint).toBe(`${pair.addrA}:51820`);
      // Four echo requests and replies (plus the handshake) went through: at least 4 × 128 bytes each way.
      expect(seenByServer?.rxBytes).toBeGreaterThanOrEqual(4 * 128);
      expect(seenByServer?.txBytes).toBeGreaterThanOrEqual(4 * 128);
      // What one side sent is what the other received (rx is the peer's upload).
      expect(seenByServer?.rxBytes).toBe(seenByClient?.txBytes);
      expect(seenByServer?.txBytes).toBe(seenByClient?.rxBytes);
      for (const seen of [seenByServer, seenByClient]) {
        expect(seen?.lastHandshakeAt?.getTime()).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
        expect(seen?.lastHandshakeAt?.getTime()).toBeLessThanOrEqual(Date.now());
      }

      // Cut the client off: its allowed IP is gone, so the server drops its packets.
      await serverDriver.apply({ upsert: [], remove: [client.keys.publicKey] });
      await expect(execIn(pair.b, "ping", ["-n", "-c", "1", "-W", "1", "10.98.0.1"])).rejects.toMatchObject({
        code: "io",
      });
    } finally {
      for (const driver of drivers) await driver.close();
      for (const iface of ifaces.reverse()) await iface.stop();
      await pair?.cleanup();
    }

    const left = await listNetns();
    expect(left).not.toContain(pair?.a);
    expect(left).not.toContain(pair?.b);
    for (const iface of ifaces) {
      expect(alive(iface.process?.pid ?? -1)).toBe(false);
      expect(existsSync(iface.process?.socketPath ?? "/")).toBe(false);
    }
  });
});
