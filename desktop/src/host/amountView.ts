import { formatTokenAmount } from "@wg402/client";
import type { AmountView } from "../api/views.ts";

export type TokenUnits = { symbol: string; decimals: number };

/** Base units and the core's formatting of them, side by side. */
export function amountView(amount: bigint, token: TokenUnits): AmountView {
  return {
    amount: amount.toString(),
    decimals: token.decimals,
    symbol: token.symbol,
    formatted: formatTokenAmount(amount, token),
  };
}

/** What a price per billed minute costs per hour of wall-clock time. */
export function perHour(pricePerMinute: bigint, secondsPerMinute: number): bigint {
  return (pricePerMinute * 3_600n) / BigInt(Math.max(1, secondsPerMinute));
}
