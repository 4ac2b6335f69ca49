import { readFile } from "node:fs/promises";
import { BaseError, DEFAULT_SCRYPT_N, decryptKeystore, ErrorCode, encryptKeystore, Keystore } from "@wg402/shared";
import { getAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { ClientError } from "../errors.ts";
import { writeSecretFile } from "../files/secretFile.ts";
import { assertStrongPassphrase } from "./passphrasePolicy.ts";

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/** "0x" + 64 hex digits, or `invalid_private_key`. The key itself never appears in the message. */
export function parsePrivateKey(text: string, what = "the private key"): Hex {
  const trimmed = text.trim();
  if (!PRIVATE_KEY.test(trimmed)) {
    throw new ClientError(`${what} must be 32 bytes of hex (0x followed by 64 hex digits)`, {
      code: ErrorCode.invalid_private_key,
    });
  }
  const key = (trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`).toLowerCase() as Hex;
  try {
    privateKeyToAddress(key);
  } catch (error) {
    throw new ClientError(`${what} is not a valid secp256k1 key`, {
      code: ErrorCode.invalid_private_key,
      cause: error,
    });
  }
  return key;
}

export type KeystoreOptions = {
  /** scrypt cost; tests pass a small one. */
  scryptN?: number;
};

/**
 * Encrypts `privateKey` (a fresh one when omitted) into a new keystore v3 file, 0600. Never overwrites. The
 * passphrase must pass the one strength rule (`weak_passphrase`).
 */
export async function writeKeystoreFile(
  path: string,
  passphrase: string,
  options: KeystoreOptions & { privateKey?: Hex } = {},
): Promise<{ address: `0x${string}`; path: string }> {
  assertStrongPassphrase(passphrase);
  const privateKey = options.privateKey ?? generatePrivateKey();
  const keystore = await encryptKeystore(privateKey, passphrase, { n: options.scryptN ?? DEFAULT_SCRYPT_N });
  try {
    await writeSecretFile(path, `${JSON.stringify(keystore, null, 2)}\n`, { exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new ClientError(`a wallet already exists at ${path}; move it away first (it is never overwritten)`, {
        code: ErrorCode.wallet_exists,
      });
    }
    throw error;
  }
  return { address: privateKeyToAddress(privateKey), path };
}

async function readKeystore(path: string): Promise<Keystore> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ClientError(`no wallet at ${path}: create one with \`wg402 wallet create\` or set WG402_PRIVATE_KEY`, {
        code: ErrorCode.wallet_not_found,
      });
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ClientError(`${path} is not JSON, so not a keystore`, {
      code: ErrorCode.invalid_keystore,
      cause: error,
    });
  }
  const parsed = Keystore.safeParse(json);
  if (!parsed.success) {
    throw new ClientError(`${path} is not a keystore v3 file (scrypt, aes-128-ctr)`, {
      code: ErrorCode.invalid_keystore,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The wallet's address, read without the passphrase (keystore v3 stores it in clear). */
export async function readKeystoreAddress(path: string): Promise<`0x${string}`> {
  const keystore = await readKeystore(path);
  return getAddress(`0x${keystore.address.replace(/^0x/, "")}`);
}

/** Decrypts the wallet; `wrong_passphrase` when the MAC does not match. */
export async function unlockKeystoreFile(path: string, passphrase: string): Promise<Hex> {
  const keystore = await readKeystore(path);
  try {
    return await decryptKeystore(keystore, passphrase);
  } catch (error) {
    if (error instanceof BaseError && error.code === "unauthorized") {
      throw new ClientError(`wrong passphrase for the wallet at ${path}`, { code: ErrorCode.wrong_passphrase });
    }
    if (error instanceof BaseError) {
      throw new ClientError(`${path}: ${error.shortMessage}`, { code: ErrorCode.invalid_keystore, cause: error });
    }
    throw error;
  }
}

/**
 * The wallet's keystore as it is (still encrypted with its passphrase), for a backup or another wallet app:
 * written to `outputPath` (0600, never over an existing file) or returned as text.
 */
export async function exportKeystoreFile(
  keystorePath: string,
  outputPath?: string,
): Promise<{ address: `0x${string}`; keystore: Keystore; path: string | null }> {
  const keystore = await readKeystore(keystorePath);
  const address = getAddress(`0x${keystore.address.replace(/^0x/, "")}`);
  if (outputPath === undefined) return { address, keystore, path: null };
  try {
    await writeSecretFile(outputPath, `${JSON.stringify(keystore, null, 2)}\n`, { exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new ClientError(`${outputPath} already exists; choose another --output (nothing is overwritten)`, {
        code: ErrorCode.wallet_exists,
      });
    }
    throw error;
  }
  return { address, keystore, path: outputPath };
}
