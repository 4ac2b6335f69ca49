import { generateKeyPair } from "./keys.ts";
import { buildWgSetArgs, parseWgDump } from "./wgCliProtocol.ts";

const a = generateKeyPair().publicKey;
const b = generateKeyPair().publicKey;
const c = generateKeyPair().publicKey;

describe("parseWgDump", () => {
  it("reads peer lines and skips the interface line", () => {
    const privateKey = generateKeyPair().privateKey;
    const dump = [
      `${privateKey}\t${a}\t51820\toff`,
      `${b}\t(none)\t10.98.0.2:40000\t10.0.0.2/32,fd00::2/128\t1700000000\t1148\t2092\t25`,
      `${c}\t(none)\t(none)\t(none)\t0\t0\t0\toff`,
      "",
    ].join("\n");
    const peers = parseWgDump(dump);
    expect(peers).toEqual([
      {
        publicKey: b,
        allowedIps: ["10.0.0.2/32", "fd00::2/128"],
        endpoint: "10.98.0.2:40000",
        rxBytes: 1148,
        txBytes: 2092,
        lastHandshakeAt: new Date(1_700_000_000_000),
      },
      { publicKey: c, allowedIps: [], endpoint: null, rxBytes: 0, txBytes: 0, lastHandshakeAt: null },
    ]);
    expect(JSON.stringify(peers)).not.toContain(privateKey);
  });

  it("refuses a line it does not understand", () => {
    expect(() => parseWgDump(`x\ty\t1\toff\n${a}\tonly three`)).toThrow(/fields/);
  });
});

describe("buildWgSetArgs", () => {
  it("puts a whole batch in one `wg set`, removes first, allowed-ips always explicit", () => {
    expect(
      buildWgSetArgs("wg0", {
        remove: [c],
        upsert: [
          { publicKey: a, allowedIps: ["10.0.0.2/32", "fd00::2/128"], persistentKeepaliveSeconds: 0 },
          { publicKey: b, allowedIps: [] },
        ],
      }),
    ).toEqual([
      [
        "set",
        "wg0",
        "peer",
        c,
        "remove",
        "peer",
        a,
        "allowed-ips",
        "10.0.0.2/32,fd00::2/128",
        "persistent-keepalive",
        "0",
        "peer",
        b,
        "allowed-ips",
        "",
      ],
    ]);
  });

  it("splits a batch too big for one argv without splitting a peer", () => {
    const keys = Array.from({ length: 10 }, () => generateKeyPair().publicKey);
    const chunks = buildWgSetArgs("wg0", { remove: keys, upsert: [] }, 200);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.slice(0, 2)).toEqual(["set", "wg0"]);
      expect(chunk.reduce((n, arg) => n + arg.length + 1, 0)).toBeLessThanOrEqual(200);
    }
    expect(chunks.flatMap((chunk) => chunk.slice(2))).toEqual(keys.flatMap((key) => ["peer", key, "remove"]));
  });

  it("builds nothing for an empty change", () => {
    expect(buildWgSetArgs("wg0", { remove: [], upsert: [] })).toEqual([]);
  });
});
