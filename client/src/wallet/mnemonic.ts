// A BIP-39 recovery phrase as a wallet key: checked word by word and by its checksum (a typo must not
// silently become another, empty, wallet), then derived at m/44'/60'/0'/0/<index> as Ethereum wallets do.
import { createHash } from "node:crypto";
import { ErrorCode } from "@wg402/shared";
import { type Hex, toHex } from "viem";
import { english, mnemonicToAccount } from "viem/accounts";
import { ClientError } from "../errors.ts";

export const MNEMONIC_ENV = "WG402_MNEMONIC";

const WORD_COUNTS = [12, 15, 18, 21, 24];

function invalid(message: string): ClientError {
  return new ClientError(message, { code: ErrorCode.invalid_private_key });
}

/** The phrase with single spaces, lower case; `invalid_private_key` naming what is wrong (never the words). */
export function normalizeMnemonic(phrase: string): string {
  const words = phrase.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!WORD_COUNTS.includes(words.length)) {
    throw invalid(`a recovery phrase has 12, 15, 18, 21 or 24 words, not ${words.length}`);
  }
  const indices = words.map((word) => english.indexOf(word));
  const unknown = indices.map((index, i) => (index < 0 ? i + 1 : 0)).filter(Boolean);
  if (unknown.length > 0) {
    throw invalid(
      `word${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} of the recovery phrase not in the BIP-39 English list`,
    );
  }
  const bits = indices.map((index) => index.toString(2).padStart(11, "0")).join("");
  const checksumBits = words.length / 3;
  const entropyBits = bits.slice(0, bits.length - checksumBits);
  const entropy = Buffer.from(entropyBits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? []);
  const digest = createHash("sha256").update(entropy).digest();
  const expected = [...digest]
    .map((byte) => byte.toString(2).padStart(8, "0"))
    .join("")
    .slice(0, checksumBits);
  if (expected !== bits.slice(-checksumBits)) {
    throw invalid("the recovery phrase's checksum does not match: a word is wrong or out of order");
  }
  return words.join(" ");
}

/** The private key of account `accountIndex` (m/44'/60'/0'/0/<index>) of a BIP-39 phrase. */
export function privateKeyFromMnemonic(
  phrase: string,
  options: { accountIndex?: number } = {},
): { privateKey: Hex; path: string } {
  const accountIndex = options.accountIndex ?? 0;
  if (!Number.isInteger(accountIndex) || accountIndex < 0 || accountIndex >= 2 ** 31) {
    throw new ClientError("the account index must be a whole number from 0", { code: ErrorCode.invalid_argument });
  }
  const account = mnemonicToAccount(normalizeMnemonic(phrase), { addressIndex: accountIndex });
  const key = account.getHdKey().privateKey;
  if (!key) throw invalid("the recovery phrase gave no private key");
  return { privateKey: toHex(key), path: `m/44'/60'/0'/0/${accountIndex}` };
}
