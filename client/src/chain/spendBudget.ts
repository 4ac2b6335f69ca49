import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";
import { formatTokenAmount, type TokenInfo } from "./money.ts";

export type SpendSnapshot = {
  /** The session cap in base units; null is no cap. */
  cap: bigint | null;
  /** Every authorization signed this session. */
  committed: bigint;
  /** What the node confirmed as settled (its PAYMENT-RESPONSE said success). */
  settled: bigint;
  /** cap − committed, or null without a cap. */
  remaining: bigint | null;
};

/**
 * The session spend cap. It counts every authorization the client signs, settled or not: a signed EIP-3009
 * authorization can be settled by whoever holds it until it times out, so only that is a real ceiling.
 * `reserve` checks and counts in one synchronous step, so concurrent payments cannot jointly pass the cap.
 */
export class SpendBudget {
  readonly cap: bigint | null;
  private committedAmount = 0n;
  private settledAmount = 0n;
  private readonly token: Pick<TokenInfo, "symbol" | "decimals">;

  constructor(options: { cap?: bigint | null; token: Pick<TokenInfo, "symbol" | "decimals"> }) {
    if (options.cap != null && options.cap < 0n) throw new RangeError("a spend cap cannot be negative");
    this.cap = options.cap ?? null;
    this.token = options.token;
  }

  get committed(): bigint {
    return this.committedAmount;
  }

  get settled(): bigint {
    return this.settledAmount;
  }

  get remaining(): bigint | null {
    return this.cap === null ? null : this.cap - this.committedAmount;
  }

  fits(amount: bigint): boolean {
    return this.cap === null || this.committedAmount + amount <= this.cap;
  }

  /** Throws `spend_cap_exceeded` when `amount` does not fit, without counting anything. */
  check(amount: bigint): void {
    if (this.fits(amount)) return;
    const cap = this.cap ?? 0n;
    throw new ClientError(
      `the spend cap of ${formatTokenAmount(cap, this.token)} does not cover ${formatTokenAmount(amount, this.token)} more (${formatTokenAmount(this.committedAmount, this.token)} spent this session)`,
      {
        code: ErrorCode.spend_cap_exceeded,
        details: { cap: cap.toString(), committed: this.committedAmount.toString(), needed: amount.toString() },
      },
    );
  }

  reserve(amount: bigint): void {
    this.check(amount);
    this.committedAmount += amount;
  }

  markSettled(amount: bigint): void {
    this.settledAmount += amount;
  }

  snapshot(): SpendSnapshot {
    return { cap: this.cap, committed: this.committedAmount, settled: this.settledAmount, remaining: this.remaining };
  }
}
