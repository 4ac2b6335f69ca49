import { generateKeyPair, type KeyPair } from "./keys.ts";
import { describeOrSkip } from "./testing/describeOrSkip.ts";
import { type PeerChange, type PeerStatus, type WireguardDriver, WireguardError } from "./types.ts";

export type DriverFixture = {
  driver: WireguardDriver;
  /** Must undo everything makeDriver created, even after a failed test. */
  cleanup(): Promise<void>;
  /**
   * Makes a client holding `client`'s keys exchange packets with the interface, using `clientAllowedIp`
   * (a /32 the peer was just given) as its tunnel address. Resolves once both directions were counted.
   */
  generateTraffic?(client: KeyPair, clientAllowedIp: string): Promise<void>;
};

export type DriverContractOptions = {
  /** A reason to skip the whole suite (printed), or null/undefined to run it. */
  skip?: string | null;
  /** False when the fixture cannot produce traffic; the counter tests are then skipped. */
  traffic?: boolean;
  timeoutMs?: number;
};

/** The behaviour every WireguardDriver must share; register it once per back end. */
export function describeDriverContract(
  name: string,
  makeDriver: () => Promise<DriverFixture>,
  options: DriverContractOptions = {},
): void {
  const timeout = options.timeoutMs ?? 60_000;
  const withTraffic = options.traffic === false ? it.skip : it;

  describeOrSkip(options.skip, `${name} driver contract`, () => {
    let fixture: DriverFixture | undefined;
    const current = (): DriverFixture => {
      if (!fixture) throw new Error("makeDriver did not produce a fixture");
      return fixture;
    };
    const driver = () => current().driver;
    const apply = (change: Partial<PeerChange>) => driver().apply({ upsert: [], remove: [], ...change });
    const peers = async () => sortPeers(await driver().listPeers());
    const peer = async (publicKey: string) => {
      const found = (await driver().listPeers()).find((p) => p.publicKey === publicKey);
      if (!found) throw new Error(`peer ${publicKey} is not listed`);
      return found;
    };
    const traffic = async (client: KeyPair, allowedIp: string) => {
      const generate = current().generateTraffic;
      if (!generate) throw new Error(`the ${name} fixture cannot generate traffic`);
      await generate(client, allowedIp);
    };

    beforeEach(async () => {
      fixture = await makeDriver();
    }, timeout);

    afterEach(async () => {
      const done = fixture;
      fixture = undefined;
      await done?.cleanup();
    }, timeout);

    it("lists no peers on a fresh interface", async () => {
      expect(await driver().listPeers()).toEqual([]);
    });

    it("adds peers and lists them with their allowed IPs and zero counters", async () => {
      const [a, b, c] = [key(), key(), key()];
      await apply({
        upsert: [
          { publicKey: a, allowedIps: ["10.64.0.2/32", "fd00:64::2/128"] },
          { publicKey: b, allowedIps: ["10.64.1.0/24"] },
          { publicKey: c, allowedIps: [] },
        ],
      });
      expect(await peers()).toEqual(
        sortPeers([fresh(a, ["10.64.0.2/32", "fd00:64::2/128"]), fresh(b, ["10.64.1.0/24"]), fresh(c, [])]),
      );
    });

    it("lists allowed IPs in the device's canonical form", async () => {
      const [a] = [key()];
      const given = [
        "10.1.2.3/24",
        "fd00:0:0::1:2/64",
        "10.9.9.9",
        "2001:db8:0:0:1:0:0:1/128",
        "2001:0:0:1:0:0:0:1/128",
      ];
      const more = ["FE80::1:2:3:4/65", "::ffff:10.0.0.1/128", "255.255.255.255/1", "::/0"];
      await apply({ upsert: [{ publicKey: a, allowedIps: [...given, ...more] }] });
      const expected = ["10.1.2.0/24", "fd00::/64", "10.9.9.9/32", "2001:db8::1:0:0:1/128", "2001:0:0:1::1/128"];
      const expectedMore = ["fe80::/65", "::ffff:10.0.0.1/128", "128.0.0.0/1", "::/0"];
      expect(sorted((await peer(a)).allowedIps)).toEqual(sorted([...expected, ...expectedMore]));
    });

    it("upsert sets the allowed IPs to exactly the list given", async () => {
      const [a, b] = [key(), key()];
      await apply({
        upsert: [
          { publicKey: a, allowedIps: ["10.65.0.1/32", "10.65.0.2/32"] },
          { publicKey: b, allowedIps: ["10.65.9.9/32"] },
        ],
      });
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.65.0.2/32", "10.65.0.3/32"] }] });
      expect(sorted((await peer(a)).allowedIps)).toEqual(["10.65.0.2/32", "10.65.0.3/32"]);
      await apply({ upsert: [{ publicKey: a, allowedIps: [] }] });
      expect((await peer(a)).allowedIps).toEqual([]);
      expect((await peer(b)).allowedIps).toEqual(["10.65.9.9/32"]);
    });

    it("accepts a persistent keepalive without touching the allowed IPs", async () => {
      const [a] = [key()];
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.66.0.1/32"], persistentKeepaliveSeconds: 25 }] });
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.66.0.1/32"], persistentKeepaliveSeconds: 0 }] });
      expect(await peers()).toEqual([fresh(a, ["10.66.0.1/32"])]);
    });

    withTraffic(
      "upsert keeps the counters, handshake and endpoint of a live peer",
      async () => {
        const client = generateKeyPair();
        await apply({ upsert: [{ publicKey: client.publicKey, allowedIps: ["10.99.0.2/32"] }] });
        await traffic(client, "10.99.0.2/32");
        const before = await peer(client.publicKey);
        expect(before.rxBytes).toBeGreaterThan(0);
        expect(before.txBytes).toBeGreaterThan(0);
        expect(before.lastHandshakeAt).toBeInstanceOf(Date);
        expect(before.endpoint).not.toBeNull();

        await apply({ upsert: [{ publicKey: client.publicKey, allowedIps: ["10.99.0.2/32", "10.99.1.0/24"] }] });
        const after = await peer(client.publicKey);
        expect(sorted(after.allowedIps)).toEqual(["10.99.0.2/32", "10.99.1.0/24"]);
        expect(after.rxBytes).toBeGreaterThanOrEqual(before.rxBytes);
        expect(after.txBytes).toBeGreaterThanOrEqual(before.txBytes);
        expect(after.lastHandshakeAt?.getTime()).toBeGreaterThanOrEqual(before.lastHandshakeAt?.getTime() ?? Infinity);
        expect(after.endpoint).toBe(before.endpoint);
      },
      timeout,
    );

    withTraffic(
      "a removed and re-added peer starts from zero",
      async () => {
        const client = generateKeyPair();
        await apply({ upsert: [{ publicKey: client.publicKey, allowedIps: ["10.99.0.2/32"] }] });
        await traffic(client, "10.99.0.2/32");
        expect((await peer(client.publicKey)).rxBytes).toBeGreaterThan(0);
        await apply({ remove: [client.publicKey] });
        await apply({ upsert: [{ publicKey: client.publicKey, allowedIps: ["10.99.0.2/32"] }] });
        expect(await peer(client.publicKey)).toEqual(fresh(client.publicKey, ["10.99.0.2/32"]));
      },
      timeout,
    );

    it("removes the peers named and keeps the others", async () => {
      const [a, b, c] = [key(), key(), key()];
      await apply({
        upsert: [
          { publicKey: a, allowedIps: ["10.67.0.1/32"] },
          { publicKey: b, allowedIps: ["10.67.0.2/32"] },
          { publicKey: c, allowedIps: ["10.67.0.3/32"] },
        ],
      });
      await apply({ remove: [a, c] });
      expect(await peers()).toEqual([fresh(b, ["10.67.0.2/32"])]);
    });

    it("removing an absent peer succeeds silently", async () => {
      const [a, absent] = [key(), key()];
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.68.0.1/32"] }] });
      await apply({ remove: [absent] });
      await apply({ remove: [a] });
      await apply({ remove: [a] });
      expect(await driver().listPeers()).toEqual([]);
    });

    it("moves an allowed IP given to another peer", async () => {
      const [a, b, c] = [key(), key(), key()];
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.69.0.5/32", "10.69.0.6/32"] }] });
      await apply({ upsert: [{ publicKey: b, allowedIps: ["10.69.0.5/32"] }] });
      expect((await peer(a)).allowedIps).toEqual(["10.69.0.6/32"]);
      expect((await peer(b)).allowedIps).toEqual(["10.69.0.5/32"]);
      // Within one batch the later upsert wins.
      await apply({
        upsert: [
          { publicKey: c, allowedIps: ["10.69.0.7/32"] },
          { publicKey: a, allowedIps: ["10.69.0.6/32", "10.69.0.7/32"] },
        ],
      });
      expect((await peer(c)).allowedIps).toEqual([]);
      expect(sorted((await peer(a)).allowedIps)).toEqual(["10.69.0.6/32", "10.69.0.7/32"]);
    });

    it("rejects an invalid key with errno -22 and applies nothing of the batch", async () => {
      const [a, b] = [key(), key()];
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.70.0.1/32"] }] });
      const bad = `${"A".repeat(42)}B=`;
      for (const change of [
        {
          upsert: [
            { publicKey: b, allowedIps: ["10.70.0.2/32"] },
            { publicKey: bad, allowedIps: [] },
          ],
          remove: [a],
        },
        { upsert: [{ publicKey: b, allowedIps: ["10.70.0.2/32"] }], remove: [a, "not a key"] },
      ]) {
        const error = await rejection(driver().apply(change));
        expect(error).toBeInstanceOf(WireguardError);
        expect(error).toMatchObject({ code: "errno", errno: -22 });
      }
      expect(await peers()).toEqual([fresh(a, ["10.70.0.1/32"])]);
    });

    it("rejects an invalid allowed IP with errno -22", async () => {
      const [a] = [key()];
      const error = await rejection(apply({ upsert: [{ publicKey: a, allowedIps: ["10.71.0.1/33"] }] }));
      expect(error).toMatchObject({ code: "errno", errno: -22 });
      expect(await driver().listPeers()).toEqual([]);
    });

    it("refuses a key that appears twice in one batch", async () => {
      const [a] = [key()];
      const error = await rejection(apply({ upsert: [{ publicKey: a, allowedIps: [] }], remove: [a] }));
      expect(error).toMatchObject({ code: "invalid_argument" });
      expect(await driver().listPeers()).toEqual([]);
    });

    it(
      "applies and lists a batch of 1,000 peers, then changes and removes them in batches",
      async () => {
        const all = keys(1000);
        const ip = (i: number, net: number) => `10.${net}.${i >> 8}.${i & 255}/32`;
        await apply({ upsert: all.map((publicKey, i) => ({ publicKey, allowedIps: [ip(i, 72)] })) });
        expect(await peers()).toEqual(sortPeers(all.map((publicKey, i) => fresh(publicKey, [ip(i, 72)]))));

        const [gone, kept] = [all.slice(0, 500), all.slice(500)];
        await apply({
          remove: gone,
          upsert: kept.map((publicKey, i) => ({ publicKey, allowedIps: [ip(i, 73), ip(i, 74)] })),
        });
        expect(await peers()).toEqual(sortPeers(kept.map((publicKey, i) => fresh(publicKey, [ip(i, 73), ip(i, 74)]))));

        await apply({ remove: kept });
        expect(await driver().listPeers()).toEqual([]);
      },
      timeout,
    );

    it("a no-op apply changes nothing", async () => {
      const [a] = [key()];
      await apply({ upsert: [{ publicKey: a, allowedIps: ["10.75.0.1/32"] }] });
      const before = await peers();
      await driver().apply({ upsert: [], remove: [] });
      expect(await peers()).toEqual(before);
    });

    it("refuses every call after close with code closed", async () => {
      await driver().close();
      for (const call of [() => driver().listPeers(), () => apply({}), () => apply({ remove: [key()] })]) {
        expect(await rejection(call())).toMatchObject({ code: "closed" });
      }
    });
  });
}

function key(): string {
  return generateKeyPair().publicKey;
}

function keys(count: number): string[] {
  return Array.from({ length: count }, () => generateKeyPair().publicKey);
}

function fresh(publicKey: string, allowedIps: string[]): PeerStatus {
  return { publicKey, allowedIps: sorted(allowedIps), endpoint: null, rxBytes: 0, txBytes: 0, lastHandshakeAt: null };
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

// Devices list peers (wireguard-go: map order) and allowed IPs in no promised order.
function sortPeers(list: readonly PeerStatus[]): PeerStatus[] {
  return list
    .map((p) => ({ ...p, allowedIps: sorted(p.allowedIps) }))
    .sort((x, y) => (x.publicKey < y.publicKey ? -1 : x.publicKey > y.publicKey ? 1 : 0));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}
