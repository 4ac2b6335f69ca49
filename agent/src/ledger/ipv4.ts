/** IPv4 arithmetic for the tunnel subnet: addresses as unsigned 32-bit integers. */
export function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export type Subnet = {
  cidr: string;
  prefix: number;
  network: number;
  broadcast: number;
  /** The node's own tunnel address: the first host. */
  gateway: number;
  /** Client addresses: everything between the gateway and the broadcast address. */
  firstClient: number;
  lastClient: number;
  size: number;
};

export function parseSubnet(cidr: string): Subnet {
  const [ip, bitsText] = cidr.split("/") as [string, string];
  const prefix = Number(bitsText);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipToInt(ip) & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  const gateway = network + 1;
  const firstClient = network + 2;
  const lastClient = broadcast - 1;
  return {
    cidr: `${intToIp(network)}/${prefix}`,
    prefix,
    network,
    broadcast,
    gateway,
    firstClient,
    lastClient,
    size: Math.max(0, lastClient - firstClient + 1),
  };
}
