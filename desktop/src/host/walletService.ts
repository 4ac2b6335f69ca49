import {
  addressQrSvg,
  ClientError,
  confirmNewPassphrase,
  type Env,
  exportKeystoreFile,
  isClientError,
  PRIVATE_KEY_ENV,
  parsePrivateKey,
  privateKeyFromMnemonic,
  readKeystoreAddress,
  unlockKeystoreFile,
  writeKeystoreFile,
} from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import type { LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { AddressQrView, KeystoreExportView, WalletView } from "../api/views.ts";

/** How a key to import is given: its hex, or a BIP-39 phrase and the account to take from it. */
export type ImportedKey = { privateKey: string } | { mnemonic: string; accountIndex?: number };

/**
 * The payer wallet as the app holds it: the core's keystore file, unlocked once with the passphrase and
 * kept in memory until locked or the app quits. WG402_PRIVATE_KEY (scripts) wins, as in the CLI.
 */
export class WalletService {
  readonly keystorePath: string;
  private readonly env: Env;
  private readonly scryptN: number | undefined;
  private account: LocalAccount | null = null;

  constructor(options: { env: Env; keystorePath: string; scryptN?: number }) {
    this.env = options.env;
    this.keystorePath = options.keystorePath;
    this.scryptN = options.scryptN;
    const fromEnv = this.env[PRIVATE_KEY_ENV];
    if (fromEnv) this.account = privateKeyToAccount(parsePrivateKey(fromEnv, PRIVATE_KEY_ENV));
  }

  private get fromEnv(): boolean {
    return Boolean(this.env[PRIVATE_KEY_ENV]);
  }

  async status(): Promise<WalletView> {
    const base = { source: this.fromEnv ? ("env" as const) : ("keystore" as const), keystorePath: this.keystorePath };
    if (this.account && this.fromEnv) return { ...base, state: "unlocked", address: this.account.address };
    let onDisk: `0x${string}`;
    try {
      onDisk = await readKeystoreAddress(this.keystorePath);
    } catch (error) {
      if (!isClientError(error, ErrorCode.wallet_not_found)) throw error;
      // The file was moved away (to import another key, say): the key it held is no longer this app's wallet.
      this.account = null;
      return { ...base, state: "none", address: null };
    }
    if (this.account && this.account.address !== onDisk) this.account = null;
    return this.account
      ? { ...base, state: "unlocked", address: this.account.address }
      : { ...base, state: "locked", address: onDisk };
  }

  /** The address, locked or not; null without a wallet. */
  async address(): Promise<`0x${string}` | null> {
    return (await this.status()).address as `0x${string}` | null;
  }

  /** A new key under a passphrase typed twice: `passphrase_mismatch`, then the strength rule's `weak_passphrase`. */
  async create(passphrase: string, confirmation: string): Promise<WalletView> {
    return this.store(generatePrivateKey(), confirmNewPassphrase(passphrase, confirmation));
  }

  async import(key: ImportedKey, passphrase: string, confirmation: string): Promise<WalletView> {
    // The passphrase first: a refused one must not cost the user re-typing a 24-word phrase for nothing.
    const checked = confirmNewPassphrase(passphrase, confirmation);
    const privateKey =
      "privateKey" in key
        ? parsePrivateKey(key.privateKey)
        : privateKeyFromMnemonic(key.mnemonic, { accountIndex: key.accountIndex }).privateKey;
    return this.store(privateKey, checked);
  }

  /** The keystore as it is on disk: still encrypted, so no passphrase is asked for. */
  async exportKeystore(): Promise<KeystoreExportView> {
    this.refuseEnvKey("exports no wallet file");
    const { address, keystore } = await exportKeystoreFile(this.keystorePath);
    return { address, fileName: `wg402-wallet-${address}.json`, json: `${JSON.stringify(keystore, null, 2)}\n` };
  }

  async qr(): Promise<AddressQrView> {
    const address = await this.address();
    if (!address) {
      throw new ClientError("there is no wallet yet: create or import one", { code: ErrorCode.wallet_not_found });
    }
    return { address, svg: await addressQrSvg(address) };
  }

  async unlock(passphrase: string): Promise<WalletView> {
    if (!this.fromEnv) this.account = privateKeyToAccount(await unlockKeystoreFile(this.keystorePath, passphrase));
    return this.status();
  }

  lock(): Promise<WalletView> {
    if (!this.fromEnv) this.account = null;
    return this.status();
  }

  /** The unlocked key, or null: for reads that only need the address and work without it. */
  currentAccount(): LocalAccount | null {
    return this.account;
  }

  requireAccount(): LocalAccount {
    if (this.account) return this.account;
    throw new ClientError("unlock your wallet with its passphrase first", {
      code: ErrorCode.passphrase_required,
    });
  }

  private refuseEnvKey(what: string): void {
    if (this.fromEnv) {
      throw new ClientError(`${PRIVATE_KEY_ENV} is set, so the app pays with that key and ${what}`, {
        code: ErrorCode.invalid_argument,
      });
    }
  }

  private async store(privateKey: `0x${string}`, passphrase: string): Promise<WalletView> {
    this.refuseEnvKey("keeps no wallet file");
    await writeKeystoreFile(this.keystorePath, passphrase, {
      privateKey,
      ...(this.scryptN ? { scryptN: this.scryptN } : {}),
    });
    this.account = privateKeyToAccount(privateKey);
    return this.status();
  }
}
