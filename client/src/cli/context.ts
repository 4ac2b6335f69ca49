import type { ChainKey, NodeInfo, PaymentKind } from "@wg402/shared";
import { ErrorCode } from "@wg402/shared";
import { type PaymentChain, paymentChainByKey, paymentChainFor } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";
import { homePaths } from "../files/home.ts";
import { fetchNodeInfo, normalizeNodeUrl } from "../node/nodeApi.ts";
import type { TokenCap } from "../node/openLeaseClient.ts";
import { exactPaymentKind } from "../node/paymentKind.ts";
import type { SessionCapChoice } from "../session/openSession.ts";
import { loadWallet, type Wallet } from "../wallet/loadWallet.ts";
import { assertStrongPassphrase, confirmNewPassphrase, MIN_PASSPHRASE_LENGTH } from "../wallet/passphrasePolicy.ts";
import type { CliIo } from "./io.ts";

export const PASSPHRASE_ENV = "WG402_PASSPHRASE";

/** Shared by the commands: paths, the wallet, the node and its chain. */
export class CliContext {
  readonly io: CliIo;
  readonly paths: ReturnType<typeof homePaths>;

  constructor(io: CliIo, options: { keystore?: string } = {}) {
    this.io = io;
    this.paths = homePaths(options.keystore ? { ...io.env, WG402_KEYSTORE: options.keystore } : io.env);
  }

  /** WG402_PASSPHRASE, or a prompt on a terminal. */
  async passphrase(question = "wallet passphrase: "): Promise<string> {
    const fromEnv = this.io.env[PASSPHRASE_ENV];
    if (fromEnv !== undefined) return fromEnv;
    if (!this.io.prompt) {
      throw new ClientError(`the wallet is encrypted: set ${PASSPHRASE_ENV} or run in a terminal`, {
        code: ErrorCode.passphrase_required,
      });
    }
    return this.io.prompt(question);
  }

  /**
   * A new passphrase, asked twice on a terminal (a weak one is refused before it is asked again), or
   * WG402_PASSPHRASE; either way it must pass the one strength rule.
   */
  async newPassphrase(): Promise<string> {
    const fromEnv = this.io.env[PASSPHRASE_ENV];
    if (fromEnv !== undefined) {
      assertStrongPassphrase(fromEnv);
      return fromEnv;
    }
    const first = await this.passphrase(`new wallet passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters): `);
    assertStrongPassphrase(first);
    return confirmNewPassphrase(first, await this.passphrase("repeat it: "));
  }

  /** A secret for an import: from `variable`, else asked without echo on a terminal. */
  async secret(variable: string, question: string, what: string): Promise<string> {
    const fromEnv = this.io.env[variable];
    if (fromEnv) return fromEnv;
    if (!this.io.prompt) {
      throw new ClientError(`set ${variable} to the ${what} to import, or run in a terminal`, {
        code: ErrorCode.invalid_private_key,
      });
    }
    return this.io.prompt(question);
  }

  wallet(): Promise<Wallet> {
    return loadWallet({ env: this.io.env, keystorePath: this.paths.keystore, passphrase: () => this.passphrase() });
  }

  async node(url: string): Promise<{ nodeUrl: string; node: NodeInfo; kind: PaymentKind }> {
    const nodeUrl = normalizeNodeUrl(url);
    const node = await fetchNodeInfo(nodeUrl, { fetch: this.io.fetch });
    // The chain and token are the same in every offer; `exact` is the one every node makes.
    const kind = exactPaymentKind(node);
    return { nodeUrl, node, kind };
  }

  /** The chain of `--node URL`, else of `--network` (default local). */
  async chain(options: { node?: string; network?: ChainKey }): Promise<PaymentChain> {
    if (options.node) {
      const { kind } = await this.node(options.node);
      return paymentChainFor(kind, this.io.env);
    }
    return paymentChainByKey(options.network ?? "local", this.io.env);
  }
}

/** A `--max-…` option as the cap it sets, named after its flag in errors; absent: no cap. */
export function capOption(value: string | undefined, flag: string): TokenCap | null {
  return value === undefined ? null : { amount: value, what: flag };
}

/** `--max-spend`: absent is the default cap (one hour at the node's price), `none` is no cap. */
export function sessionCapOption(value: string | undefined): SessionCapChoice {
  if (value === undefined) return "default";
  if (value === "none") return "none";
  return { amount: value, what: "--max-spend" };
}
