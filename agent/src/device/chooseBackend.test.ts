import type { WireguardSupport } from "@wg402/wireguard";
import { chooseBackend } from "./chooseBackend.ts";

const everything: WireguardSupport = {
  root: true,
  tun: true,
  wireguardGo: "/usr/bin/wireguard-go",
  wg: "/usr/bin/wg",
  ip: "/usr/sbin/ip",
  kernel: true,
  missing: [],
  problems: [],
};
const noKernel: WireguardSupport = { ...everything, kernel: false };

describe("chooseBackend", () => {
  it("auto prefers kernel WireGuard and falls back to wireguard-go", () => {
    expect(chooseBackend("auto", everything)).toBe("kernel");
    expect(chooseBackend("auto", noKernel)).toBe("userspace");
    // No `wg`: kernel WireGuard cannot be configured, wireguard-go still can (over UAPI).
    expect(chooseBackend("auto", { ...everything, wg: null, missing: ["wireguard-tools"] })).toBe("userspace");
  });

  it("auto with neither says what is missing and which Debian packages to install", () => {
    const support: WireguardSupport = {
      ...noKernel,
      wireguardGo: null,
      missing: ["wireguard-go"],
      problems: ["no kernel WireGuard and no `wireguard-go`: apt-get install wireguard-go"],
    };
    expect(() => chooseBackend("auto", support)).toThrow(
      "neither kernel WireGuard nor wireguard-go can run here: no kernel WireGuard and no `wireguard-go`: " +
        "apt-get install wireguard-go. Install the Debian packages: apt-get install wireguard-go.",
    );
  });

  it("auto as a normal user names root as the problem", () => {
    const support: WireguardSupport = {
      ...noKernel,
      root: false,
      problems: ["not running as root: creating interfaces needs root (or CAP_NET_ADMIN)"],
    };
    expect(() => chooseBackend("auto", support)).toThrow(/can run here: not running as root/);
  });

  it("auto without /dev/net/tun says so", () => {
    const support: WireguardSupport = {
      ...noKernel,
      tun: false,
      problems: ["/dev/net/tun is missing or not accessible; wireguard-go needs it"],
    };
    expect(() => chooseBackend("auto", support)).toThrow(/\/dev\/net\/tun is missing/);
  });

  it("an explicit mode runs only where it can, and says why not", () => {
    expect(chooseBackend("userspace", everything)).toBe("userspace");
    expect(chooseBackend("kernel", everything)).toBe("kernel");
    expect(() => chooseBackend("kernel", noKernel)).toThrow(
      "kernel WireGuard cannot run here: this kernel has no WireGuard module (use the userspace mode with wireguard-go)",
    );
    expect(() => chooseBackend("kernel", { ...everything, wg: null })).toThrow(/apt-get install wireguard-tools/);
    expect(() => chooseBackend("userspace", { ...everything, wireguardGo: null, tun: false })).toThrow(
      "wireguard-go cannot run here: /dev/net/tun is missing or not accessible (wireguard-go needs it); " +
        "`wireguard-go` not found: apt-get install wireguard-go",
    );
    expect(() => chooseBackend("userspace", { ...everything, ip: null })).toThrow(/apt-get install iproute2/);
  });
});
