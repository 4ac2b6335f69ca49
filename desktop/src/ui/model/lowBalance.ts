// When to warn that the money is running out: the wallet's balance in minutes of VPN time at the chosen
// node's price, against the user's threshold.

export type BalanceRunway = {
  /** Whole billed minutes the balance pays for at this price. */
  minutesCovered: number;
  /** Wall-clock seconds those minutes last (a test node's minute can be short). */
  secondsCovered: number;
  /** ok; low (fewer minutes than the threshold); empty (not even one minute). */
  level: "ok" | "low" | "empty";
};

export function balanceRunway(p: {
  /** Base units, decimal strings, as the API sends them. */
  balance: string;
  pricePerMinute: string;
  secondsPerMinute: number;
  /** Warn below this many minutes; 0 turns the warning off (but not the "empty" state). */
  thresholdMinutes: number;
}): BalanceRunway {
  const balance = BigInt(p.balance);
  const price = BigInt(p.pricePerMinute);
  if (price <= 0n)
    return { minutesCovered: Number.POSITIVE_INFINITY, secondsCovered: Number.POSITIVE_INFINITY, level: "ok" };
  const minutes = balance / price;
  // Far beyond any threshold: no need to keep bigint precision.
  const minutesCovered = minutes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(minutes);
  const level = minutes < 1n ? "empty" : minutes < BigInt(Math.max(0, p.thresholdMinutes)) ? "low" : "ok";
  return { minutesCovered, secondsCovered: minutesCovered * p.secondsPerMinute, level };
}
