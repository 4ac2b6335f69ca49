import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { type KeyFileKind, loadOrCreateKeyFile } from "../device/keyFile.ts";

const signingKey: KeyFileKind = {
  label: "signing key file",
  generate: generatePrivateKey,
  isValid: (text) => /^0x[0-9a-fA-F]{64}$/.test(text),
  malformedHint:
    "expected one line of a 0x-prefixed 32-byte hex secp256k1 key. Fix or remove it (removing it gives this node a new offerSigner, and receipts signed before no longer match it).",
};

export type NodeSigningKey = {
  privateKey: Hex;
  source: "env" | "file";
  created: boolean;
  tightenedFrom: number | null;
};

/**
 * The key the node signs offers and receipts with: AGENT_SIGNING_PRIVATE_KEY when set, else the key file,
 * created on first start so that the signer a client pinned stays the same across restarts.
 */
export async function loadSigningKey(config: {
  AGENT_SIGNING_PRIVATE_KEY?: string;
  AGENT_SIGNING_KEY_FILE: string;
}): Promise<NodeSigningKey> {
  if (config.AGENT_SIGNING_PRIVATE_KEY) {
    return { privateKey: config.AGENT_SIGNING_PRIVATE_KEY as Hex, source: "env", created: false, tightenedFrom: null };
  }
  const file = await loadOrCreateKeyFile(config.AGENT_SIGNING_KEY_FILE, signingKey);
  return { privateKey: file.key as Hex, source: "file", created: file.created, tightenedFrom: file.tightenedFrom };
}
