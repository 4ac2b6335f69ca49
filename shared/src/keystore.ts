import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import { bytesToHex, type Hex, hexToBytes, keccak256 } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";
import { BaseError, ErrorCode } from "./errors.ts";

/**
 * Web3 Secret Storage (keystore v3, as geth and most wallets write it): scrypt derives a key from the
 * passphrase, AES-128-CTR encrypts the private key, and a keccak MAC detects a wrong passphrase. Using the
 * common format means a wg402 wallet can be imported into other wallets and the other way round.
 */
export const Keystore = z.object({
  version: z.literal(3),
  id: z.string(),
  address: z.string().regex(/^(0x)?[0-9a-fA-F]{40}$/),
  crypto: z.object({
    cipher: z.literal("aes-128-ctr"),
    cipherparams: z.object({ iv: z.string().regex(/^[0-9a-f]{32}$/i) }),
    ciphertext: z.string().regex(/^[0-9a-f]+$/i),
    kdf: z.literal("scrypt"),
    kdfparams: z.object({
      dklen: z.literal(32),
      // Bounded so that a hostile file cannot make us allocate gigabytes.
      n: z
        .number()
        .int()
        .min(2)
        .max(2 ** 20),
      r: z.number().int().min(1).max(16),
      p: z.number().int().min(1).max(16),
      salt: z.string().regex(/^[0-9a-f]+$/i),
    }),
    mac: z.string().regex(/^[0-9a-f]{64}$/i),
  }),
});
export type Keystore = z.infer<typeof Keystore>;

/** 2^17: about half a second and 128 MiB here; geth's "standard" is 2^18. Tests pass a small `n`. */
export const DEFAULT_SCRYPT_N = 131_072;

function deriveKey(passphrase: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize("NFKC"),
      salt,
      32,
      { N: n, r, p, maxmem: 256 * n * r + 32 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

function mac(derived: Buffer, ciphertext: Buffer): Buffer {
  return Buffer.from(hexToBytes(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]))));
}

export async function encryptKeystore(
  privateKey: Hex,
  passphrase: string,
  options: { n?: number } = {},
): Promise<Keystore> {
  const n = options.n ?? DEFAULT_SCRYPT_N;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const derived = await deriveKey(passphrase, salt, n, 8, 1);
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n, r: 8, p: 1, salt: salt.toString("hex") },
      mac: mac(derived, ciphertext).toString("hex"),
    },
  };
}

/** Returns the private key, or throws `wrong_passphrase`-style `unauthorized` when the MAC does not match. */
export async function decryptKeystore(input: unknown, passphrase: string): Promise<Hex> {
  const parsed = Keystore.safeParse(input);
  if (!parsed.success) {
    throw new BaseError("not a keystore v3 file (scrypt, aes-128-ctr)", {
      code: ErrorCode.invalid_request,
      cause: parsed.error,
    });
  }
  const { crypto } = parsed.data;
  const { n, r, p, salt } = crypto.kdfparams;
  const derived = await deriveKey(passphrase, Buffer.from(salt, "hex"), n, r, p);
  const ciphertext = Buffer.from(crypto.ciphertext, "hex");
  if (!timingSafeEqual(mac(derived, ciphertext), Buffer.from(crypto.mac, "hex"))) {
    throw new BaseError("wrong passphrase for this keystore", { code: ErrorCode.unauthorized });
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), Buffer.from(crypto.cipherparams.iv, "hex"));
  const privateKey = bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  const address = privateKeyToAddress(privateKey).slice(2).toLowerCase();
  if (address !== parsed.data.address.replace(/^0x/, "").toLowerCase()) {
    throw new BaseError("keystore address does not match its key", { code: ErrorCode.invalid_request });
  }
  return privateKey;
}
