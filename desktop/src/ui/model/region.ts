// A node's region as people scan a list: a flag and the country's name when the region is an ISO 3166
// alpha-2 code (the host sends the name), else the region as the operator wrote it ("eu-central").

/** The flag emoji of an ISO 3166 alpha-2 code (two regional indicator symbols), or null. */
export function flagOf(region: string): string | null {
  if (!/^[A-Za-z]{2}$/.test(region)) return null;
  const base = 0x1f1e6 - "A".charCodeAt(0);
  return String.fromCodePoint(...[...region.toUpperCase()].map((c) => base + c.charCodeAt(0)));
}

/** "🇩🇪 Germany" (the flag only where the system can draw it), or the region itself when it names no country. */
export function regionLabel(region: string, country: string | null, withFlag = true): string {
  const flag = country && withFlag ? flagOf(region) : null;
  return country ? `${flag ? `${flag} ` : ""}${country}` : region;
}
