import { ClientError, type Env, type PaymentChain, paymentChainByKey, readBalances } from "@wg402/client";
import { chainByNetwork, ErrorCode } from "@wg402/shared";
import type { BalancesView } from "../api/views.ts";
import { amountView } from "./amountView.ts";
import { readEscrow } from "./escrowBalance.ts";
import type { EventBus } from "./eventBus.ts";
import { toWireError } from "./toWireError.ts";
import type { WalletService } from "./walletService.ts";

/**
 * Reads the wallet's token and gas balance through the core and, while a session runs, keeps reading it:
 * the balance can fall for reasons outside this app (another device, a transfer), and the low-balance
 * warning must follow.
 */
export class BalanceService {
  private readonly env: Env;
  private readonly wallet: WalletService;
  private readonly bus: EventBus;
  private readonly pollMs: number;
  private readonly defaultNetwork: () => Promise<string | null>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private failing = false;

  constructor(options: {
    env: Env;
    wallet: WalletService;
    bus: EventBus;
    pollMs: number;
    /** The network to use when none is given: the session's, a node's, the local stack's. */
    defaultNetwork: () => Promise<string | null>;
  }) {
    this.env = options.env;
    this.wallet = options.wallet;
    this.bus = options.bus;
    this.pollMs = options.pollMs;
    this.defaultNetwork = options.defaultNetwork;
  }

  /** The chain and token the core pays with on `network` (the local one from the stack file). */
  async chainFor(network?: string): Promise<PaymentChain> {
    const wanted = network ?? (await this.defaultNetwork());
    if (!wanted) {
      throw new ClientError("no node is known yet, so there is no chain to read a balance on: add a node first", {
        code: ErrorCode.invalid_argument,
      });
    }
    const chain = chainByNetwork(wanted);
    if (!chain) {
      throw new ClientError(`this app does not know the network ${wanted}`, {
        code: ErrorCode.unsupported_network,
      });
    }
    return paymentChainByKey(chain.key, this.env);
  }

  async read(network?: string): Promise<BalancesView> {
    const address = await this.wallet.address();
    if (!address) {
      throw new ClientError("there is no wallet yet: create or import one first", {
        code: ErrorCode.wallet_not_found,
      });
    }
    const chain = await this.chainFor(network);
    const [balances, escrow] = await Promise.all([
      readBalances(chain, address),
      // The escrow is a second figure: when it cannot be read the wallet's balance is still shown.
      readEscrow(this.env, chain, address).catch(() => null),
    ]);
    const view: BalancesView = {
      address,
      network: chain.chain.network,
      chainName: chain.chain.name,
      testOnly: chain.chain.testOnly,
      faucet: chain.chain.key === "local",
      token: amountView(balances.token, chain.token),
      gas: amountView(balances.native, { symbol: balances.nativeSymbol, decimals: 18 }),
      escrow: escrow && { total: amountView(escrow.total, chain.token), channels: escrow.channels },
      readAt: new Date().toISOString(),
    };
    this.bus.publish({ type: "balances", balances: view });
    return view;
  }

  /** Reads now and then every poll interval; a failure is reported once, and again only after a success. */
  watch(network: string): void {
    this.unwatch();
    const tick = () =>
      void this.read(network).then(
        () => {
          this.failing = false;
        },
        (error: unknown) => {
          if (this.failing) return;
          this.failing = true;
          this.bus.publish({ type: "warning", error: toWireError(error) });
        },
      );
    tick();
    this.timer = setInterval(tick, this.pollMs);
  }

  unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.failing = false;
  }
}
