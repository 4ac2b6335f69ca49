import { existsSync } from "node:fs";
import { detectWireguardSupport } from "./detectSupport.ts";

describe("detectWireguardSupport", () => {
  it("describes this machine consistently", async () => {
    const support = await detectWireguardSupport();
    expect(support.root).toBe(process.getuid?.() === 0);
    expect(support.tun).toBe(existsSync("/dev/net/tun") && support.tun);
    expect(support.missing.includes("wireguard-tools")).toBe(support.wg === null);
    expect(support.missing.includes("wireguard-go")).toBe(support.wireguardGo === null && !support.kernel);
    if (existsSync("/sys/module/wireguard")) expect(support.kernel).toBe(true);
    if (existsSync("/usr/bin/wg")) expect(support.wg).toMatch(/\/wg$/);
    if (existsSync("/usr/bin/wireguard-go")) expect(support.wireguardGo).toMatch(/\/wireguard-go$/);
    expect(support.problems.length === 0).toBe(
      support.missing.length === 0 && support.root && (support.kernel || support.tun),
    );
  });

  it("still finds the tools when PATH lacks the system directories", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const support = await detectWireguardSupport();
      if (existsSync("/usr/bin/wg")) expect(support.wg).toBe("/usr/bin/wg");
      if (existsSync("/usr/sbin/ip")) expect(support.ip).toMatch(/\/ip$/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
