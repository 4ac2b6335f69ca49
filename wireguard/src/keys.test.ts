import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { generateKeyPair, isValidKey, keyFromHex, keyToHex, publicKeyFromPrivate } from "./keys.ts";
import { WireguardError } from "./types.ts";

// RFC 7748 section 6.1 test vector (Alice), as WireGuard would print it.
const ALICE_PRIVATE = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex");
const ALICE_PUBLIC = Buffer.from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "hex");

const WG = "/usr/bin/wg";

describe("keys", () => {
  it("derives the RFC 7748 public key", () => {
    expect(publicKeyFromPrivate(ALICE_PRIVATE.toString("base64"))).toBe(ALICE_PUBLIC.toString("base64"));
  });

  it("generates distinct, valid, clamped pairs whose public half matches the private half", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.privateKey).not.toBe(b.privateKey);
    for (const pair of [a, b]) {
      expect(isValidKey(pair.privateKey)).toBe(true);
      expect(isValidKey(pair.publicKey)).toBe(true);
      expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
      const raw = Buffer.from(pair.privateKey, "base64");
      expect((raw[0] ?? 0) & 7).toBe(0);
      expect((raw[31] ?? 0) & 0xc0).toBe(0x40);
    }
  });

  it("round-trips base64 and hex", () => {
    const { publicKey } = generateKeyPair();
    const hex = keyToHex(publicKey);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(hex).toBe(Buffer.from(publicKey, "base64").toString("hex"));
    expect(keyFromHex(hex)).toBe(publicKey);
    expect(keyFromHex(hex.toUpperCase())).toBe(publicKey);
  });

  it.each([
    ["empty", ""],
    ["too short", "AAAA"],
    ["no padding", "A".repeat(43)],
    ["non-canonical last char", `${"A".repeat(42)}B=`],
    ["url-safe alphabet", `${"_".repeat(42)}A=`],
    ["a newline", `${"A".repeat(42)}A=\n`],
    ["33 bytes", Buffer.alloc(33).toString("base64")],
  ])("rejects a key with %s as errno -22", (_label, key) => {
    expect(isValidKey(key)).toBe(false);
    expect(() => keyToHex(key)).toThrow(expect.objectContaining({ code: "errno", errno: -22 }));
    expect(() => publicKeyFromPrivate(key)).toThrow(WireguardError);
  });

  it("rejects bad hex", () => {
    expect(() => keyFromHex("zz".repeat(32))).toThrow(expect.objectContaining({ code: "errno", errno: -22 }));
    expect(() => keyFromHex("00".repeat(31))).toThrow(WireguardError);
  });

  const withWg = existsSync(WG) ? it : it.skip;
  if (!existsSync(WG)) console.warn(`keys: skipping the \`wg pubkey\` comparison: ${WG} is not installed`);

  withWg("agrees with `wg pubkey` in both directions", () => {
    const ours = generateKeyPair();
    expect(
      execFileSync(WG, ["pubkey"], { input: `${ours.privateKey}\n` })
        .toString()
        .trim(),
    ).toBe(ours.publicKey);
    const theirs = execFileSync(WG, ["genkey"]).toString().trim();
    const theirPublic = execFileSync(WG, ["pubkey"], { input: `${theirs}\n` })
      .toString()
      .trim();
    expect(isValidKey(theirs)).toBe(true);
    expect(publicKeyFromPrivate(theirs)).toBe(theirPublic);
  });
});
