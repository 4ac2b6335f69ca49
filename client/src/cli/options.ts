import { InvalidArgumentError } from "@commander-js/extra-typings";
import { ChainKey } from "@wg402/shared";
import { isDecimalAmount } from "../chain/money.ts";
import type { SchemeChoice } from "../node/paymentKind.ts";
import { TunnelDriverKind } from "../tunnel/types.ts";

const INTERFACE_NAME = /^[A-Za-z0-9_=+.-]{1,15}$/;
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function parseMinutes(value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value)) throw new InvalidArgumentError("must be a whole number of minutes, at least 1");
  return Number(value);
}

export function parseMegabytes(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw new InvalidArgumentError("must be a whole number of megabytes, at least 1");
  return Number(value);
}

/** Token amounts are checked for syntax here and converted once the token's decimals are known. */
export function parseAmount(value: string): string {
  if (!isDecimalAmount(value)) throw new InvalidArgumentError("must be an amount of tokens such as 0.05");
  return value.trim();
}

/** `--max-spend`: an amount of tokens, or `none` for no cap at all (an explicit choice). */
export function parseCapAmount(value: string): string {
  if (value.trim().toLowerCase() === "none") return "none";
  if (!isDecimalAmount(value)) throw new InvalidArgumentError("must be an amount of tokens such as 0.05, or none");
  return value.trim();
}

export function parseDriver(value: string): TunnelDriverKind {
  const parsed = TunnelDriverKind.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`must be one of ${TunnelDriverKind.options.join(", ")}`);
  return parsed.data;
}

/** `--scheme exact|channel`; absent means the channel when the node offers one. */
export function parseScheme(value: string): Exclude<SchemeChoice, "auto"> {
  if (value !== "exact" && value !== "channel") throw new InvalidArgumentError("must be exact or channel");
  return value;
}

export function parseInterfaceName(value: string): string {
  if (!INTERFACE_NAME.test(value)) {
    throw new InvalidArgumentError("must be 1-15 letters, digits or _=+.- (a Linux interface name)");
  }
  return value;
}

export function parseNetns(value: string): string {
  if (!NETNS_NAME.test(value)) throw new InvalidArgumentError("must be a network namespace name");
  return value;
}

export function parseNetwork(value: string): ChainKey {
  const parsed = ChainKey.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`must be one of ${ChainKey.options.join(", ")}`);
  return parsed.data;
}

export function parseSeconds(value: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) <= 0)
    throw new InvalidArgumentError("must be a positive number of seconds");
  return Number(value);
}
