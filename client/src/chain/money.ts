import { ErrorCode } from "@wg402/shared";
import { formatUnits } from "viem";
import { ClientError } from "../errors.ts";

export type TokenInfo = {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
  /** The token's EIP-712 domain, which payers sign. */
  eip712?: { name: string; version: string };
};

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** "0.05" (whole tokens, as people write them) → base units. No floats touch the amount. */
export function parseTokenAmount(text: string, decimals: number, what = "amount"): bigint {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) {
    throw new ClientError(
      `${what} must be a plain decimal number of tokens such as 0.05, not ${JSON.stringify(text)}`,
      {
        code: ErrorCode.invalid_amount,
      },
    );
  }
  const [whole = "0", fraction = ""] = trimmed.split(".");
  if (fraction.length > decimals) {
    throw new ClientError(`${what} has more than ${decimals} decimals: ${text}`, {
      code: ErrorCode.invalid_amount,
    });
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}

/** Base units → "0.05 tUSD". */
export function formatTokenAmount(amount: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`;
}

/** Syntax only, for checking user input before anything else runs. */
export function isDecimalAmount(text: string): boolean {
  return DECIMAL.test(text.trim());
}
