// A node's `region` as people read it: an ISO 3166 alpha-2 code ("DE") becomes its country's name; anything
// else (a cloud region such as "eu-central", or "local") has none.
const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** The English name of the country `region` names as an ISO 3166 alpha-2 code, or null. */
export function countryName(region: string): string | null {
  if (!/^[A-Za-z]{2}$/.test(region)) return null;
  try {
    return names.of(region.toUpperCase()) ?? null;
  } catch {
    return null;
  }
}
