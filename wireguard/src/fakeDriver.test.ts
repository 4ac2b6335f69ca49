import { describeDriverContract } from "./driverContract.ts";
import { FakeDriver } from "./fakeDriver.ts";
import { generateKeyPair } from "./keys.ts";

describeDriverContract("fake", async () => {
  const driver = new FakeDriver();
  return {
    driver,
    cleanup: () => driver.close(),
    async generateTraffic(client) {
      driver.handshake(client.publicKey, new Date());
      driver.addTraffic(client.publicKey, 1_148, 2_092);
    },
  };
});

describe("FakeDriver test hooks", () => {
  const a = generateKeyPair().publicKey;
  const b = generateKeyPair().publicKey;

  it("counts calls and records each peer write", async () => {
    const fake = new FakeDriver();
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: ["10.0.0.1/32"] }], remove: [] });
    await fake.apply({ upsert: [], remove: [] });
    await fake.apply({ upsert: [{ publicKey: b, allowedIps: [] }], remove: [a] });
    await fake.listPeers();
    expect(fake.calls).toEqual({ listPeers: 1, apply: 3, close: 0 });
    expect(fake.writes).toEqual([
      { op: "upsert", publicKey: a },
      { op: "remove", publicKey: a },
      { op: "upsert", publicKey: b },
    ]);
    expect(fake.writesFor(a)).toBe(2);
    expect(fake.writesFor(b)).toBe(1);
  });

  it("a rejected batch writes nothing", async () => {
    const fake = new FakeDriver();
    await expect(fake.apply({ upsert: [{ publicKey: a, allowedIps: ["bad"] }], remove: [b] })).rejects.toMatchObject({
      errno: -22,
    });
    expect(fake.writes).toEqual([]);
    expect(fake.calls.apply).toBe(1);
  });

  it("accumulates traffic and records handshakes", async () => {
    const fake = new FakeDriver();
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: [] }], remove: [] });
    fake.addTraffic(a, 10, 20);
    fake.addTraffic(a, 1, 2);
    const at = new Date("2030-01-02T03:04:05.678Z");
    fake.handshake(a, at, "192.0.2.9:4242");
    at.setFullYear(2000);
    const [listed] = await fake.listPeers();
    expect(listed).toEqual({
      publicKey: a,
      allowedIps: [],
      endpoint: "192.0.2.9:4242",
      rxBytes: 11,
      txBytes: 22,
      lastHandshakeAt: new Date("2030-01-02T03:04:05.678Z"),
    });
  });

  it("hands out copies, so callers cannot edit the device", async () => {
    const fake = new FakeDriver();
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: ["10.0.0.1/32"] }], remove: [] });
    const [first] = await fake.listPeers();
    first?.allowedIps.push("10.9.9.9/32");
    expect((await fake.listPeers())[0]?.allowedIps).toEqual(["10.0.0.1/32"]);
  });

  it("keeps the keepalive unless one is given", async () => {
    const fake = new FakeDriver();
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: [], persistentKeepaliveSeconds: 25 }], remove: [] });
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: ["10.0.0.1/32"] }], remove: [] });
    expect(fake.keepaliveOf(a)).toBe(25);
  });

  it("restart drops every peer, and IPs become free again", async () => {
    const fake = new FakeDriver();
    await fake.apply({ upsert: [{ publicKey: a, allowedIps: ["10.0.0.1/32"] }], remove: [] });
    fake.addTraffic(a, 5, 5);
    fake.restart();
    expect(await fake.listPeers()).toEqual([]);
    await fake.apply({
      upsert: [
        { publicKey: b, allowedIps: ["10.0.0.1/32"] },
        { publicKey: a, allowedIps: [] },
      ],
      remove: [],
    });
    const listed = await fake.listPeers();
    expect(listed.map((p) => [p.publicKey, p.allowedIps, p.rxBytes])).toEqual([
      [b, ["10.0.0.1/32"], 0],
      [a, [], 0],
    ]);
  });

  it("failNext rejects the next calls in order without changing state", async () => {
    const fake = new FakeDriver();
    const boom = new Error("boom");
    fake.failNext();
    fake.failNext(boom);
    await expect(fake.listPeers()).rejects.toMatchObject({ code: "io" });
    await expect(fake.apply({ upsert: [{ publicKey: a, allowedIps: [] }], remove: [] })).rejects.toBe(boom);
    expect(await fake.listPeers()).toEqual([]);
  });

  it("traffic hooks refuse an unknown peer", () => {
    const fake = new FakeDriver();
    expect(() => fake.addTraffic(a, 1, 1)).toThrow(/no peer/);
    expect(() => fake.handshake(a, new Date())).toThrow(/no peer/);
  });
});
