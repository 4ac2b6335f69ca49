import { isIPv4, isIPv6 } from "node:net";

type Parsed = { bytes: number[]; bits: number; v6: boolean };

/**
 * The form a WireGuard device reports an allowed IP in: masked to its prefix (10.1.2.3/24 → 10.1.2.0/24),
 * IPv6 compressed per RFC 5952, a bare address taken as /32 or /128. Null when the value is not a CIDR.
 * Compare desired and listed allowed IPs through this, or a reconciler rewrites the peer forever.
 */
export function canonicalAllowedIp(value: string): string | null {
  const parsed = parseCidr(value);
  if (parsed === null) return null;
  const masked = parsed.bytes.map((byte, i) => byte & maskByte(parsed.bits, i));
  return `${parsed.v6 ? formatV6(masked) : masked.join(".")}/${parsed.bits}`;
}

/** Canonical, deduplicated, order kept; throws nothing, returns null if any entry is invalid. */
export function canonicalAllowedIps(values: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const value of values) {
    const canonical = canonicalAllowedIp(value);
    if (canonical === null) return null;
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Set equality after canonicalisation; the device's order carries no meaning. */
export function sameAllowedIps(a: readonly string[], b: readonly string[]): boolean {
  const left = canonicalAllowedIps(a);
  const right = canonicalAllowedIps(b);
  if (left === null || right === null || left.length !== right.length) return false;
  const set = new Set(left);
  return right.every((ip) => set.has(ip));
}

/** An interface address such as 10.0.0.1/24: host bits kept, unlike an allowed IP. Null when invalid. */
export function parseInterfaceAddress(value: string): { address: string; bits: number } | null {
  const parsed = parseCidr(value);
  if (parsed === null || !value.includes("/")) return null;
  return { address: value.slice(0, value.indexOf("/")), bits: parsed.bits };
}

function parseCidr(value: string): Parsed | null {
  const slash = value.indexOf("/");
  const address = slash === -1 ? value : value.slice(0, slash);
  const v6 = isIPv6(address) && !address.includes("%");
  if (!v6 && !isIPv4(address)) return null;
  const max = v6 ? 128 : 32;
  let bits = max;
  if (slash !== -1) {
    const prefix = value.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return null;
    bits = Number(prefix);
    if (bits > max) return null;
  }
  const bytes = v6 ? parseV6(address) : address.split(".").map(Number);
  return bytes === null ? null : { bytes, bits, v6 };
}

function maskByte(bits: number, index: number): number {
  const remaining = bits - index * 8;
  if (remaining >= 8) return 0xff;
  if (remaining <= 0) return 0;
  return (0xff << (8 - remaining)) & 0xff;
}

function parseV6(address: string): number[] | null {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail.push(
      ...text
        .slice(lastColon + 1)
        .split(".")
        .map(Number),
    );
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...restGroups].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes.length === 16 && bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : null;
}

// RFC 5952, as Go's netip and inet_ntop print it, including ::ffff:a.b.c.d for IPv4-mapped addresses.
function formatV6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join(".")}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
