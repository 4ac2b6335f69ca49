import { canonicalAllowedIp, canonicalAllowedIps, parseInterfaceAddress, sameAllowedIps } from "./allowedIps.ts";

describe("canonicalAllowedIp", () => {
  // The right-hand sides are what wireguard-go 0.0.20220316 printed for these inputs.
  it.each([
    ["10.1.2.3/24", "10.1.2.0/24"],
    ["10.9.9.9/32", "10.9.9.9/32"],
    ["10.9.9.9", "10.9.9.9/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["255.255.255.255/1", "128.0.0.0/1"],
    ["10.255.255.255/12", "10.240.0.0/12"],
    ["fd00:0:0::1:2/64", "fd00::/64"],
    ["FD00::1", "fd00::1/128"],
    ["::/0", "::/0"],
    ["2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"],
    ["2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128"],
    ["2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128"],
    ["::ffff:10.0.0.1/128", "::ffff:10.0.0.1/128"],
    ["::1.2.3.4/128", "::102:304/128"],
    ["fe80::1:2:3:4/65", "fe80::/65"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalAllowedIp(input)).toBe(expected);
  });

  it.each([
    "",
    "10.0.0.1/33",
    "10.0.0.1/",
    "10.0.0.1/024",
    "10.0.0.1/-1",
    "10.0.0",
    "010.0.0.1/32",
    "10.0.0.256/32",
    "fd00::1/129",
    "fe80::1%eth0/128",
    "fd00:::1/64",
    "10.0.0.1/32\nremove=true",
    "example.com/32",
  ])("rejects %j", (input) => {
    expect(canonicalAllowedIp(input)).toBeNull();
  });
});

describe("canonicalAllowedIps", () => {
  it("canonicalises and deduplicates in order", () => {
    expect(canonicalAllowedIps(["10.0.0.7/24", "fd00::1", "10.0.0.0/24"])).toEqual(["10.0.0.0/24", "fd00::1/128"]);
  });

  it("is null if any entry is invalid", () => {
    expect(canonicalAllowedIps(["10.0.0.1/32", "nope"])).toBeNull();
  });
});

describe("sameAllowedIps", () => {
  it("ignores order and notation", () => {
    expect(sameAllowedIps(["10.0.0.1", "fd00::/64"], ["fd00:0::0/64", "10.0.0.1/32"])).toBe(true);
  });

  it("sees a missing or extra entry", () => {
    expect(sameAllowedIps(["10.0.0.1/32"], ["10.0.0.1/32", "10.0.0.2/32"])).toBe(false);
    expect(sameAllowedIps(["10.0.0.1/32"], ["10.0.0.2/32"])).toBe(false);
    expect(sameAllowedIps([], [])).toBe(true);
  });
});

describe("parseInterfaceAddress", () => {
  it("keeps host bits and requires a prefix", () => {
    expect(parseInterfaceAddress("10.7.0.1/24")).toEqual({ address: "10.7.0.1", bits: 24 });
    expect(parseInterfaceAddress("fd00::1/64")).toEqual({ address: "fd00::1", bits: 64 });
    expect(parseInterfaceAddress("10.7.0.1")).toBeNull();
    expect(parseInterfaceAddress("10.7.0.1/40")).toBeNull();
  });
});
