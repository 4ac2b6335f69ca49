import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@wg402/wireguard";
import { ExportDriver } from "./exportDriver.ts";
import { parseWgQuickConfig } from "./wgQuickConfig.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wg402-export-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ExportDriver", () => {
  it("writes the config owner-only with a terminal QR code, and deletes it on down", async () => {
    const keys = generateKeyPair();
    const server = generateKeyPair();
    const configText = `[Interface]\nPrivateKey = ${keys.privateKey}\nAddress = 10.64.0.2/32\n\n[Peer]\nPublicKey = ${server.publicKey}\nAllowedIPs = 0.0.0.0/0\nEndpoint = 127.0.0.1:51820\n`;
    const driver = new ExportDriver({ tunnelsDir: join(dir, "tunnels") });
    await driver.precheck();
    const up = await driver.up({ interfaceName: "wg402", configText, config: parseWgQuickConfig(configText) });
    const path = join(dir, "tunnels", "wg402.conf");
    expect(up.handle).toMatchObject({ driver: "export", configPath: path, serverPublicKey: server.publicKey });
    expect(await readFile(path, "utf8")).toBe(configText);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(up.qr).toMatch(/[█▀▄]/);
    expect(driver.killSwitch).toBe(false);
    expect(await driver.block(up.handle)).toEqual(up.handle);
    await driver.down(up.handle);
    expect(existsSync(path)).toBe(false);
  });
});
