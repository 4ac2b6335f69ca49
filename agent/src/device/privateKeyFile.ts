import { generateKeyPair, isValidKey, publicKeyFromPrivate } from "@wg402/wireguard";
import { type KeyFileKind, loadOrCreateKeyFile } from "./keyFile.ts";

export { formatMode } from "./keyFile.ts";

export type LoadedPrivateKey = {
  privateKey: string;
  publicKey: string;
  /** The file did not exist and was written now. */
  created: boolean;
  /** The file's mode before it was tightened to 0600 because group or others could read it; else null. */
  tightenedFrom: number | null;
};

const wireguardKey: KeyFileKind = {
  label: "WireGuard private key file",
  generate: () => generateKeyPair().privateKey,
  isValid: isValidKey,
  malformedHint:
    "expected one line of 44 base64 characters, as `wg genkey` writes. Fix or remove it (removing it gives this node a new public key).",
};

/** Reads the node's WireGuard private key (one base64 line, as `wg genkey` writes), or creates it 0600. */
export async function loadOrCreatePrivateKey(path: string): Promise<LoadedPrivateKey> {
  const { key, created, tightenedFrom } = await loadOrCreateKeyFile(path, wireguardKey);
  return { privateKey: key, publicKey: publicKeyFromPrivate(key), created, tightenedFrom };
}
