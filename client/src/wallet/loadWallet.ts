import { ErrorCode } from "@wg402/shared";
import type { LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Env } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";
import { parsePrivateKey, readKeystoreAddress, unlockKeystoreFile } from "./keystoreWallet.ts";

export type Wallet = {
  account: LocalAccount;
  address: `0x${string}`;
  source: { kind: "env"; variable: string } | { kind: "keystore"; path: string };
};

export const PRIVATE_KEY_ENV = "WG402_PRIVATE_KEY";

export type LoadWalletOptions = {
  env: Env;
  keystorePath: string;
  /** Asked only when the keystore is used; the CLI reads WG402_PASSPHRASE or prompts. */
  passphrase: () => Promise<string>;
};

/** The payer: `WG402_PRIVATE_KEY` for scripts when set, else the encrypted keystore file. */
export async function loadWallet(options: LoadWalletOptions): Promise<Wallet> {
  const fromEnv = options.env[PRIVATE_KEY_ENV];
  if (fromEnv) {
    const account = privateKeyToAccount(parsePrivateKey(fromEnv, PRIVATE_KEY_ENV));
    return { account, address: account.address, source: { kind: "env", variable: PRIVATE_KEY_ENV } };
  }
  // Fail on a missing file before asking for a passphrase.
  await readKeystoreAddress(options.keystorePath);
  const passphrase = await options.passphrase();
  if (!passphrase) {
    throw new ClientError("a passphrase is needed to unlock the wallet", { code: ErrorCode.passphrase_required });
  }
  const account = privateKeyToAccount(await unlockKeystoreFile(options.keystorePath, passphrase));
  return { account, address: account.address, source: { kind: "keystore", path: options.keystorePath } };
}

/** The wallet's address without unlocking it. */
export async function walletAddress(
  options: Omit<LoadWalletOptions, "passphrase">,
): Promise<Wallet["source"] & { address: `0x${string}` }> {
  const fromEnv = options.env[PRIVATE_KEY_ENV];
  if (fromEnv) {
    return {
      kind: "env",
      variable: PRIVATE_KEY_ENV,
      address: privateKeyToAccount(parsePrivateKey(fromEnv, PRIVATE_KEY_ENV)).address,
    };
  }
  return { kind: "keystore", path: options.keystorePath, address: await readKeystoreAddress(options.keystorePath) };
}
