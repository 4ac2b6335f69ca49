import { rootCauseLine } from "./rootCause.ts";

describe("rootCauseLine", () => {
  it("finds wg-quick's real failure among its echoed commands, its kernel probe and its rollback", () => {
    const output = [
      "[#] ip link add wg402-client type wireguard",
      "Error: Unknown device type.",
      "[#] wireguard-go wg402-client",
      "┌──────────────────────────────────────────────────────┐",
      "│   Running wireguard-go is not required because this  │",
      "└──────────────────────────────────────────────────────┘",
      "[#] wg setconf wg402-client /dev/fd/63",
      "[#] ip -4 address add 10.64.0.2/32 dev wg402-client",
      "[#] ip link set mtu 1420 up dev wg402-client",
      "[#] wg set wg402-client fwmark 51820",
      "[#] ip -4 rule add not fwmark 51820 table 51820",
      "[#] iptables-restore -n",
      "/usr/bin/wg-quick: line 295: iptables-restore: command not found",
      "[#] ip -4 rule delete table 51820",
      "[#] ip link delete dev wg402-client",
    ].join("\n");
    expect(rootCauseLine(output)).toBe("/usr/bin/wg-quick: line 295: iptables-restore: command not found");
  });

  it("takes electron-builder's failure without its stack trace", () => {
    const output = [
      "  • electron-builder  version=26.0.12 os=6.1.0",
      "  • loaded configuration  file=/work/desktop/electron-builder.json",
      "  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=Error: getaddrinfo ENOTFOUND github.com",
      "    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26)",
    ].join("\n");
    expect(rootCauseLine(output)).toBe("getaddrinfo ENOTFOUND github.com");
  });

  it("falls back to the last line, or to the fallback for nothing at all", () => {
    expect(rootCauseLine("one\ntwo\n")).toBe("two");
    expect(rootCauseLine("\n[#] ip link delete dev x\n", "no output")).toBe("no output");
  });
});
