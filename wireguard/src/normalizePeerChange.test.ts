import { generateKeyPair } from "./keys.ts";
import { isEmptyChange, normalizePeerChange } from "./normalizePeerChange.ts";

const a = generateKeyPair().publicKey;
const b = generateKeyPair().publicKey;

describe("normalizePeerChange", () => {
  it("canonicalises allowed IPs and keeps keepalive only when given", () => {
    expect(
      normalizePeerChange({
        upsert: [
          { publicKey: a, allowedIps: ["10.0.0.9/24", "10.0.0.0/24", "fd00::1"], persistentKeepaliveSeconds: 0 },
          { publicKey: b, allowedIps: [] },
        ],
        remove: [],
      }),
    ).toEqual({
      upsert: [
        { publicKey: a, allowedIps: ["10.0.0.0/24", "fd00::1/128"], persistentKeepaliveSeconds: 0 },
        { publicKey: b, allowedIps: [] },
      ],
      remove: [],
    });
  });

  it.each([
    ["a bad upsert key", { upsert: [{ publicKey: "nope", allowedIps: [] }], remove: [] }],
    ["a bad remove key", { upsert: [], remove: [`${a}\nreplace_peers=true`] }],
    ["a bad allowed IP", { upsert: [{ publicKey: a, allowedIps: ["10.0.0.1/33"] }], remove: [] }],
    [
      "a fractional keepalive",
      { upsert: [{ publicKey: a, allowedIps: [], persistentKeepaliveSeconds: 1.5 }], remove: [] },
    ],
    [
      "a keepalive over 65535",
      { upsert: [{ publicKey: a, allowedIps: [], persistentKeepaliveSeconds: 65536 }], remove: [] },
    ],
  ])("fails like the device (errno -22) on %s", (_label, change) => {
    expect(() => normalizePeerChange(change)).toThrow(expect.objectContaining({ code: "errno", errno: -22 }));
  });

  it.each([
    [
      "twice in upsert",
      {
        upsert: [
          { publicKey: a, allowedIps: [] },
          { publicKey: a, allowedIps: [] },
        ],
        remove: [],
      },
    ],
    ["in both lists", { upsert: [{ publicKey: a, allowedIps: [] }], remove: [a] }],
    ["twice in remove", { upsert: [], remove: [b, b] }],
  ])("refuses a key %s as invalid_argument", (_label, change) => {
    expect(() => normalizePeerChange(change)).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });

  it("does not mutate its input", () => {
    const change = { upsert: [{ publicKey: a, allowedIps: ["10.0.0.9/24"] }], remove: [b] };
    normalizePeerChange(change);
    expect(change).toEqual({ upsert: [{ publicKey: a, allowedIps: ["10.0.0.9/24"] }], remove: [b] });
  });

  it("knows an empty change", () => {
    expect(isEmptyChange({ upsert: [], remove: [] })).toBe(true);
    expect(isEmptyChange({ upsert: [], remove: [a] })).toBe(false);
  });
});
