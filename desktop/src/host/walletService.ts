import {
  ClientError,
  type Env,
  isClientError,
  PRIVATE_KEY_ENV,
  parsePrivateKey,
  readKeystoreAddress,
  unlockKeystoreFile,
  writeKeystoreFile,
} from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import type { LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { WalletView } from "../api/views.ts";

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
    if (this.account) return { ...base, state: "unlocked", address: this.account.address };
    try {
      return { ...base, state: "locked", address: await readKeystoreAddress(this.keystorePath) };
    } catch (error) {
      if (isClientError(error, ErrorCode.wallet_not_found)) return { ...base, state: "none", address: null };
      throw error;
    }
  }

  /** The address, locked or not; null without a wallet. */
  async address(): Promise<`0x${string}` | null> {
    return (await this.status()).address as `0x${string}` | null;
  }

  async create(passphrase: string): Promise<WalletView> {
    return this.store(generatePrivateKey(), passphrase);
  }

  async import(privateKeyText: string, passphrase: string): Promise<WalletView> {
    return this.store(parsePrivateKey(privateKeyText), passphrase);
  }

  async unlock(passphrase: string): Promise<WalletView> {
    if (!this.fromEnv) this.account = privateKeyToAccount(await unlockKeystoreFile(this.keystorePath, passphrase));
    return this.status();
  }

  lock(): Promise<WalletView> {
    if (!this.fromEnv) this.account = null;
    return this.status();
  }

  requireAccount(): LocalAccount {
    if (this.account) return this.account;
    throw new ClientError("unlock your wallet with its passphrase first", {
      code: ErrorCode.passphrase_required,
    });
  }

  private async store(privateKey: `0x${string}`, passphrase: string): Promise<WalletView> {
    if (this.fromEnv) {
      throw new ClientError(`${PRIVATE_KEY_ENV} is set, so the app pays with that key and keeps no wallet file`, {
        code: ErrorCode.invalid_argument,
      });
    }
    await writeKeystoreFile(this.keystorePath, passphrase, {
      privateKey,
      ...(this.scryptN ? { scryptN: this.scryptN } : {}),
    });
    this.account = privateKeyToAccount(privateKey);
    return this.status();
  }
}
