import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { configureInterface } from "./configureInterface.ts";
import { generateKeyPair, keyToHex } from "./keys.ts";
import { describeOrSkip } from "./testing/describeOrSkip.ts";
import { createNetnsPair, execIn, type NetnsPair, uniqueName } from "./testing/netns.ts";
import { userspaceSkipReason } from "./testing/wireguardFixture.ts";
import { UapiClient } from "./uapiClient.ts";
import { startWireguardGo, type WireguardGoExit, type WireguardGoProcess } from "./wireguardGo.ts";

const skip = await userspaceSkipReason({ needWg: true });

function alive(pid: number): boolean {
  // Never signal pid <= 0: that addresses process groups or every process.
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function linkExists(ns: string, name: string): Promise<boolean> {
  return execIn(ns, "ip", ["link", "show", name]).then(
    () => true,
    () => false,
  );
}

describeOrSkip(skip, "startWireguardGo and configureInterface (root)", () => {
  let pair: NetnsPair | undefined;
  const started: WireguardGoProcess[] = [];
  const ns = () => pair?.a ?? "";
  const start = async (name = uniqueName("wg")) => {
    const proc = await startWireguardGo({ name, netns: ns() });
    started.push(proc);
    return proc;
  };

  beforeEach(async () => {
    pair = await createNetnsPair({ prefix: "wgp" });
  });

  afterEach(async () => {
    for (const proc of started.splice(0)) await proc.stop();
    await pair?.cleanup();
    pair = undefined;
  });

  it("starts wireguard-go in the namespace, and stop removes the process, socket and link", async () => {
    const proc = await start();
    const exits: WireguardGoExit[] = [];
    proc.onExit((exit) => exits.push(exit));
    expect(proc.socketPath).toBe(`/var/run/wireguard/${proc.name}.sock`);
    expect(existsSync(proc.socketPath)).toBe(true);
    // The PID is wireguard-go itself, not the `ip netns exec` wrapper.
    expect((await readFile(`/proc/${proc.pid}/comm`, "utf8")).trim()).toBe("wireguard-go");
    expect(await linkExists(ns(), proc.name)).toBe(true);

    await proc.stop();
    expect(alive(proc.pid)).toBe(false);
    expect(existsSync(proc.socketPath)).toBe(false);
    expect(await linkExists(ns(), proc.name)).toBe(false);
    expect(exits).toHaveLength(1);
    await proc.stop();
    expect(exits).toHaveLength(1);
  });

  it("reports a crash through onExit and starts again over the stale socket", async () => {
    const proc = await start();
    const exits: WireguardGoExit[] = [];
    proc.onExit((exit) => exits.push(exit));
    process.kill(proc.pid, "SIGKILL");
    expect(await proc.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(exits).toEqual([{ code: null, signal: "SIGKILL" }]);
    expect(existsSync(proc.socketPath)).toBe(true);
    const late: WireguardGoExit[] = [];
    proc.onExit((exit) => late.push(exit));
    expect(late).toEqual([{ code: null, signal: "SIGKILL" }]);

    const again = await start(proc.name);
    expect(again.pid).not.toBe(proc.pid);
    const client = new UapiClient({ socketPath: again.socketPath });
    await expect(client.request("get=1\n\n")).resolves.toMatch(/listen_port=/);
    await client.close();
  });

  it("refuses a second wireguard-go for a name that is in use", async () => {
    const proc = await start();
    await expect(startWireguardGo({ name: proc.name, netns: ns() })).rejects.toMatchObject({ code: "io" });
    expect(alive(proc.pid)).toBe(true);
    expect(existsSync(proc.socketPath)).toBe(true);
  });

  it("fails with wireguard-go's output when it cannot start, leaving nothing behind", async () => {
    const name = uniqueName("wg");
    const error = await startWireguardGo({ name, netns: `${ns()}-absent` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "io", message: expect.stringMatching(/exited before it was ready/) });
    expect(existsSync(`/var/run/wireguard/${name}.sock`)).toBe(false);
  });

  it.each(["uapi", "wg"] as const)(
    "configureInterface via %s sets key, port, address and link state, twice",
    async (via) => {
      const proc = await start();
      const keys = generateKeyPair();
      const options = {
        name: proc.name,
        netns: ns(),
        privateKey: keys.privateKey,
        listenPort: 51999,
        address: "10.98.0.1/24",
        via,
      };
      await configureInterface(options);
      await configureInterface(options);

      const client = new UapiClient({ socketPath: proc.socketPath });
      const device = await client.request("get=1\n\n");
      await client.close();
      expect(device).toMatch(new RegExp(`^private_key=${keyToHex(keys.privateKey)}$`, "m"));
      expect(device).toMatch(/^listen_port=51999$/m);
      expect((await execIn(ns(), "wg", ["show", proc.name, "public-key"])).stdout.trim()).toBe(keys.publicKey);
      const addresses = (await execIn(ns(), "ip", ["-o", "addr", "show", "dev", proc.name])).stdout;
      expect(addresses.match(/inet \S+/g)).toEqual(["inet 10.98.0.1/24"]);
      expect((await execIn(ns(), "ip", ["link", "show", proc.name])).stdout).toMatch(/<[^>]*\bUP\b[^>]*>/);
    },
  );
});

describe("argument checks", () => {
  it("startWireguardGo refuses unsafe names before spawning", async () => {
    await expect(startWireguardGo({ name: "a-name-too-long-for-linux" })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(startWireguardGo({ name: "wg0", netns: "../etc" })).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it.each([
    ["private key", { privateKey: "nope" }],
    ["listen port", { listenPort: 70000 }],
    ["address", { address: "10.0.0.1" }],
    ["name", { name: "-h" }],
  ])("configureInterface refuses a bad %s before touching anything", async (_label, override) => {
    const options = {
      name: "wg0",
      privateKey: generateKeyPair().privateKey,
      listenPort: 0,
      address: "10.0.0.1/24",
      ...override,
    };
    await expect(configureInterface(options)).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
