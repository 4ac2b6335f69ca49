// The wg-quick driver inside a network namespace (wg-quick falls back to wireguard-go on this kernel): the
// same stand-in node as the userspace test, wg-quick's fwmark policy routing, and the kill switch.
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeOrSkip, execIn, pingFrom, uniqueName, userspaceSkipReason } from "@wg402/wireguard/testing";
import { type StandInNode, startStandInNode } from "../testing/standInNode.ts";
import { findExecutable } from "./privileges.ts";
import type { TunnelHandle } from "./types.ts";
import { parseWgQuickConfig } from "./wgQuickConfig.ts";
import { WgQuickDriver } from "./wgQuickDriver.ts";

const skip =
  (await userspaceSkipReason({ needWg: true })) ??
  ((await findExecutable("wg-quick")) ? null : "wg-quick is not installed (apt-get install wireguard-tools)");

async function routeTo(netns: string, address: string): Promise<string> {
  return execIn(netns, "ip", ["route", "get", address]).then(
    (r) => r.stdout.split("\n")[0]?.trim() ?? "",
    (error: Error) => `unroutable: ${error.message.split(": ").at(-1)}`,
  );
}

describeOrSkip(skip, "WgQuickDriver in a network namespace", () => {
  it("brings the tunnel up with wg-quick, blocks it at the kill switch, and removes everything on down", async () => {
    let node: StandInNode | undefined;
    let handle: TunnelHandle | undefined;
    const tunnelsDir = await mkdtemp(join(tmpdir(), "wg402-wgquick-"));
    try {
      node = await startStandInNode({ prefix: "wgq", subnet: "10.97.0" });
      const { pair } = node;
      const configText = node.configText({ allowedIps: "0.0.0.0/0" });
      const name = uniqueName("wgq");
      const netnsDriver = new WgQuickDriver({ tunnelsDir, ignoreDns: true, netns: pair.b });
      await netnsDriver.precheck({ dns: ["10.97.0.1"] });
      const up = await netnsDriver.up({ interfaceName: name, configText, config: parseWgQuickConfig(configText) });
      handle = up.handle;
      const configPath = join(tunnelsDir, `${name}.conf`);
      expect(handle).toMatchObject({ driver: "wg-quick", configPath, netns: pair.b });
      expect((await stat(configPath)).mode & 0o777).toBe(0o600);

      expect(await pingFrom(pair.b, "10.97.0.1")).toMatch(/1 received/);
      // `wg show <iface> dump` is the evidence: a handshake, and bytes from the node.
      const reading = await netnsDriver.readPeer(handle);
      expect(reading?.lastHandshakeAt).toBeGreaterThan(Date.now() - 60_000);
      expect(reading?.rxBytes).toBeGreaterThan(0);
      expect(await routeTo(pair.b, "198.51.100.7")).toMatch(new RegExp(`dev ${name} table 51820`));

      handle = await netnsDriver.block(handle);
      expect(handle.blockRoutes).toEqual([
        { family: 4, prefix: "0.0.0.0/0", type: "unreachable", table: "51820", metric: 65000 },
      ]);
      await expect(execIn(pair.b, "ping", ["-n", "-c", "1", "-W", "1", "10.97.0.1"])).rejects.toThrow();
      expect(await routeTo(pair.b, "198.51.100.7")).toMatch(new RegExp(`dev ${name} table 51820`));
      expect((await execIn(pair.b, "wg", ["show", name, "peers"])).stdout.trim()).toBe("");

      // Without the interface, wg-quick's rules still send everything to its table, where the block holds.
      await execIn(pair.b, "ip", ["link", "del", name]);
      expect(await routeTo(pair.b, "198.51.100.7")).toMatch(/^unroutable/);

      await netnsDriver.down(handle);
      handle = undefined;
      expect(existsSync(configPath)).toBe(false);
      expect(await routeTo(pair.b, "198.51.100.7")).toMatch(new RegExp(`via ${pair.addrA} dev ${pair.vethB}`));
      expect((await execIn(pair.b, "ip", ["rule", "show"])).stdout).not.toMatch(/51820/);
      expect((await execIn(pair.b, "ip", ["route", "show", "table", "all"])).stdout).not.toMatch(/unreachable/);
    } finally {
      if (handle) await new WgQuickDriver({ tunnelsDir, netns: node?.pair.b }).down(handle).catch(() => undefined);
      await node?.stop();
      await rm(tunnelsDir, { recursive: true, force: true });
    }
  });
});
