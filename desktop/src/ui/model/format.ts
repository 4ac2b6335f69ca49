// Formatting for people. Amounts arrive formatted by the core; what is left is time, bytes and sentences.

/** A running timer: "4:07", "1:02:03". */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** A length of time in words: "12 s", "4 min 7 s", "2 h 5 min". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return rest > 0 ? `${m} min ${rest} s` : `${m} min`;
  return `${rest} s`;
}

/** Decimal units, as network counters are usually shown: "0 B", "999 B", "1.2 KB", "14.8 MB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "0x1234…cdef", for hashes and addresses that do not fit a phone screen. */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= keep * 2 + 3 ? hex : `${hex.slice(0, keep)}…${hex.slice(-4)}`;
}

/** The core writes sentences as clauses ("insufficient balance: …"); a UI shows them capitalized and ended. */
export function humanSentence(message: string): string {
  const text = message.trim();
  if (!text) return "Something went wrong.";
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** Base units (a decimal string) in whole tokens, without rounding: ("1500", 6) → "0.0015". */
export function formatUnits(amount: string, decimals: number): string {
  const negative = amount.startsWith("-");
  const digits = (negative ? amount.slice(1) : amount).replace(/^0+(?=\d)/, "");
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals);
  const fraction = padded.slice(padded.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function plural(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

/**
 * Whole tokens rounded to `digits` significant decimals, for amounts where the last wei does not matter
 * (gas): ("999838745714062186", 18) → "0.9998". The first significant digit is always kept, so a non-zero
 * amount never shows as "0".
 */
export function formatApprox(amount: string, decimals: number, digits = 4): string {
  const exact = formatUnits(amount, decimals);
  const [whole = "0", fraction = ""] = exact.split(".");
  if (!fraction) return whole;
  const firstSignificant = whole === "0" ? fraction.search(/[1-9]/) : 0;
  const keep = Math.max(digits, firstSignificant + 2);
  const cut = fraction.slice(0, keep).replace(/0+$/, "");
  return cut ? `${whole}.${cut}` : whole;
}
