import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { EINVAL, WireguardError } from "./types.ts";

export type KeyPair = { privateKey: string; publicKey: string };

// 32 bytes in standard base64: 43 significant characters, the last carrying 4 bits, then one "=".
const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const HEX_KEY_PATTERN = /^[0-9a-f]{64}$/i;
// PKCS#8 wrapper for a raw X25519 private key (RFC 8410).
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** True for a canonical standard-base64 encoding of 32 bytes, the only form `wg` and wireguard-go accept. */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

function keyBytes(key: string): Buffer {
  if (!isValidKey(key)) {
    throw new WireguardError(`invalid WireGuard key ${JSON.stringify(key)}`, { code: "errno", errno: EINVAL });
  }
  return Buffer.from(key, "base64");
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const raw = Buffer.from(privateKey.export({ format: "jwk" }).d ?? "", "base64url");
  // Clamp like `wg genkey` so the stored key is byte-identical to what WireGuard itself would make.
  raw[0] = (raw[0] ?? 0) & 248;
  raw[31] = ((raw[31] ?? 0) & 127) | 64;
  const base64 = raw.toString("base64");
  return { privateKey: base64, publicKey: publicKeyFromPrivate(base64) };
}

export function publicKeyFromPrivate(privateKey: string): string {
  const der = Buffer.concat([PKCS8_X25519_PREFIX, keyBytes(privateKey)]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "jwk" });
  return Buffer.from(jwk.x ?? "", "base64url").toString("base64");
}

/** base64 → the lowercase hex the UAPI protocol puts on the wire. */
export function keyToHex(key: string): string {
  return keyBytes(key).toString("hex");
}

export function keyFromHex(hex: string): string {
  if (!HEX_KEY_PATTERN.test(hex)) {
    throw new WireguardError(`invalid hex WireGuard key ${JSON.stringify(hex)}`, { code: "errno", errno: EINVAL });
  }
  return Buffer.from(hex, "hex").toString("base64");
}
