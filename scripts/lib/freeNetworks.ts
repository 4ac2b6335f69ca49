// Which networks a new local stack may take: a /30 for the veth between the host and the node's namespace,
// and a /16 for the tunnel, neither overlapping anything the host (or another stack) already uses.

export type Ipv4Net = { base: number; bits: number; cidr: string; address: (host: number) => string };

const toInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

export function parseIpv4Net(text: string): Ipv4Net | undefined {
  const [ip, bitsText] = text.split("/");
  const parts = (ip ?? "").split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return net(toInt(ip as string), bits);
}

function net(address: number, bits: number): Ipv4Net {
  const size = 2 ** (32 - bits);
  const base = Math.floor(address / size) * size;
  return { base, bits, cidr: `${toIp(base)}/${bits}`, address: (host) => toIp(base + host) };
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}

// The link-local block the stacks' veths come from, and the private blocks their tunnels come from.
const LINK_CANDIDATES = Array.from({ length: 128 }, (_, i) => net(toInt("169.254.254.0") + i * 4, 30));
const TUNNEL_CANDIDATES = [
  ...Array.from({ length: 64 }, (_, i) => net(toInt(`10.${64 + i}.0.0`), 16)),
  ...Array.from({ length: 64 }, (_, i) => net(toInt(`100.${64 + i}.0.0`), 16)),
];

/** The first veth /30 and tunnel /16 that overlap nothing in `inUse`; throws when either is exhausted. */
export function claimFreeNetworks(inUse: Ipv4Net[]): { link: Ipv4Net; tunnel: Ipv4Net } {
  // A default route (0.0.0.0/0) says nothing about which networks are taken.
  const taken = inUse.filter((n) => n.bits > 0);
  const free = (candidates: Ipv4Net[], what: string) => {
    const found = candidates.find((candidate) => !taken.some((used) => overlaps(candidate, used)));
    if (!found) throw new Error(`no free ${what} left on this host`);
    return found;
  };
  return { link: free(LINK_CANDIDATES, "/30 in 169.254.254.0/23"), tunnel: free(TUNNEL_CANDIDATES, "tunnel /16") };
}
