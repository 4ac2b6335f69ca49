import { generateKeyPair, keyToHex } from "./keys.ts";
import { encodeSetRequest, GET_REQUEST, parseGetResponse } from "./uapiProtocol.ts";

const a = generateKeyPair().publicKey;
const b = generateKeyPair().publicKey;
const c = generateKeyPair().publicKey;

describe("encodeSetRequest", () => {
  it("writes removes first, then upserts that replace allowed IPs, ending with a blank line", () => {
    const text = encodeSetRequest({
      remove: [c],
      upsert: [
        { publicKey: a, allowedIps: ["10.0.0.2/32", "fd00::2/128"], persistentKeepaliveSeconds: 25 },
        { publicKey: b, allowedIps: [] },
      ],
    });
    expect(text).toBe(
      [
        "set=1",
        `public_key=${keyToHex(c)}`,
        "remove=true",
        `public_key=${keyToHex(a)}`,
        "replace_allowed_ips=true",
        "allowed_ip=10.0.0.2/32",
        "allowed_ip=fd00::2/128",
        "persistent_keepalive_interval=25",
        `public_key=${keyToHex(b)}`,
        "replace_allowed_ips=true",
        "",
        "",
      ].join("\n"),
    );
    expect(text).not.toMatch(/replace_peers|private_key/);
  });

  it("asks for the whole device with get=1", () => {
    expect(GET_REQUEST).toBe("get=1\n\n");
  });
});

describe("parseGetResponse", () => {
  it("reads peers and skips the interface's own lines", () => {
    // Shape of a wireguard-go 0.0.20220316 reply, errno line removed.
    const body = [
      `private_key=${"11".repeat(32)}`,
      "listen_port=51820",
      `public_key=${keyToHex(a)}`,
      `preshared_key=${"00".repeat(32)}`,
      "protocol_version=1",
      "endpoint=10.98.0.2:40000",
      "last_handshake_time_sec=1700000000",
      "last_handshake_time_nsec=123456789",
      "tx_bytes=2092",
      "rx_bytes=1148",
      "persistent_keepalive_interval=0",
      "allowed_ip=10.0.0.2/32",
      "allowed_ip=fd00::2/128",
      `public_key=${keyToHex(b)}`,
      "protocol_version=1",
      "endpoint=[fd00::9]:51820",
      "last_handshake_time_sec=0",
      "last_handshake_time_nsec=0",
      "tx_bytes=0",
      "rx_bytes=0",
      "",
    ].join("\n");
    expect(parseGetResponse(body)).toEqual([
      {
        publicKey: a,
        allowedIps: ["10.0.0.2/32", "fd00::2/128"],
        endpoint: "10.98.0.2:40000",
        rxBytes: 1148,
        txBytes: 2092,
        lastHandshakeAt: new Date(1_700_000_000_123),
      },
      { publicKey: b, allowedIps: [], endpoint: "[fd00::9]:51820", rxBytes: 0, txBytes: 0, lastHandshakeAt: null },
    ]);
  });

  it("handles an empty device and counters beyond 32 bits", () => {
    expect(parseGetResponse("listen_port=1\n")).toEqual([]);
    const [peer] = parseGetResponse(`public_key=${keyToHex(a)}\nrx_bytes=8589934592\ntx_bytes=4294967296\n`);
    expect(peer).toMatchObject({ rxBytes: 8_589_934_592, txBytes: 4_294_967_296 });
  });
});
