import { claimFreeNetworks, overlaps, parseIpv4Net } from "./freeNetworks.ts";

const nets = (...cidrs: string[]) => cidrs.map((c) => parseIpv4Net(c)).filter((n) => n !== undefined);

describe("claimFreeNetworks", () => {
  it("takes the first /30 and /16 on a host that uses none of them", () => {
    const { link, tunnel } = claimFreeNetworks(nets("127.0.0.1/8", "192.0.2.2/24", "0.0.0.0/0"));
    expect([link.cidr, link.address(1), link.address(2), tunnel.cidr]).toEqual([
      "169.254.254.0/30",
      "169.254.254.1",
      "169.254.254.2",
      "10.64.0.0/16",
    ]);
  });

  it("skips what another stack holds: its veth /30 and its tunnel subnet", () => {
    const { link, tunnel } = claimFreeNetworks(nets("169.254.254.1/30", "169.254.254.2", "10.64.0.1/32"));
    expect(link.cidr).toBe("169.254.254.4/30");
    expect(tunnel.cidr).toBe("10.65.0.0/16");
  });

  it("moves the tunnel off a host route that covers it, and says so when nothing is left", () => {
    expect(claimFreeNetworks(nets("10.0.0.0/8")).tunnel.cidr).toBe("100.64.0.0/16");
    expect(() => claimFreeNetworks(nets("169.254.0.0/16"))).toThrow(/no free \/30/);
  });

  it("parses and compares networks", () => {
    expect(parseIpv4Net("10.64.3.7/16")?.cidr).toBe("10.64.0.0/16");
    expect(parseIpv4Net("300.1.1.1")).toBeUndefined();
    const [a, b, c] = nets("10.64.0.0/16", "10.64.200.1", "10.65.0.0/16");
    expect(a && b && overlaps(a, b)).toBe(true);
    expect(a && c && overlaps(a, c)).toBe(false);
  });
});
