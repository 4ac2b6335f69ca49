import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
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
  } catch {
    return false;
  }
  // An orphan that exited stays a zombie until init reaps it, which some inits (a sandbox's) do late: it is
  // gone all the same.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
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

/** ppid and process group from /proc/<pid>/stat (the fields after the parenthesised command name). */
async function parentAndGroup(pid: number): Promise<{ ppid: number; pgrp: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(ppid), pgrp: Number(pgrp) };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now() - started;
}

const PARENT_SCRIPT = `
const { startWireguardGo } = await import(process.env.WG_MODULE);
const wg = await startWireguardGo(JSON.parse(process.env.WG_OPTIONS));
process.stdout.write(JSON.stringify({ pid: wg.pid }) + "\\n");
setInterval(() => undefined, 60_000);
`;

/** A separate Node process that starts wireguard-go with `options` and then idles until killed. */
async function startUnderParent(options: object): Promise<{ parent: ChildProcess; pid: number }> {
  const parent = spawn(process.execPath, ["--input-type=module", "-e", PARENT_SCRIPT], {
    env: {
      ...process.env,
      WG_MODULE: new URL("./wireguardGo.ts", import.meta.url).href,
      WG_OPTIONS: JSON.stringify(options),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  parent.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let line = "";
    parent.stdout?.on("data", (chunk: Buffer) => {
      line += chunk.toString();
      if (line.includes("\n")) resolve((JSON.parse(line) as { pid: number }).pid);
    });
    parent.once("exit", (code) =>
      reject(new Error(`the parent exited (${code}) before wireguard-go was up:\n${output}`)),
    );
  });
  return { parent, pid };
}

async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describeOrSkip(skip, "startWireguardGo and configureInterface (root)", () => {
  let pair: NetnsPair | undefined;
  const started: WireguardGoProcess[] = [];
  const ns = () => pair?.a ?? "";
  const start = async (name = uniqueName("wg")) => {
    const proc = await startWireguardGo({ name, netns: ns(), dieWithParent: true });
    started.push(proc);
    return proc;
  };

  beforeEach(async () => {
    pair = await createNetnsPair({ prefix: "wgp" });
  });

  const parents: ChildProcess[] = [];
  const orphans: number[] = [];

  afterEach(async () => {
    for (const proc of started.splice(0)) await proc.stop();
    for (const parent of parents.splice(0)) await sigkill(parent);
    for (const pid of orphans.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
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

  it("dieWithParent: a SIGKILLed parent takes wireguard-go and its interface with it", async () => {
    const name = uniqueName("wg");
    const { parent, pid } = await startUnderParent({ name, netns: ns(), dieWithParent: true });
    parents.push(parent);
    orphans.push(pid);
    // setpriv and `ip netns exec` exec'd in place: the PID is wireguard-go, a child of the parent itself,
    // still in its own process group (a Ctrl-C for the parent's group does not reach it).
    expect((await readFile(`/proc/${pid}/comm`, "utf8")).trim()).toBe("wireguard-go");
    const { ppid, pgrp } = await parentAndGroup(pid);
    expect(ppid).toBe(parent.pid);
    expect(pgrp).toBe(pid);
    expect(pgrp).not.toBe((await parentAndGroup(parent.pid as number)).pgrp);
    expect(await linkExists(ns(), name)).toBe(true);

    await sigkill(parent);
    await waitUntil("wireguard-go exiting", async () => !alive(pid), 2_000);
    await waitUntil("the interface going", async () => !(await linkExists(ns(), name)), 2_000);
  });

  it("without dieWithParent, wireguard-go outlives a SIGKILLed parent", async () => {
    const name = uniqueName("wg");
    const { parent, pid } = await startUnderParent({ name, netns: ns() });
    parents.push(parent);
    orphans.push(pid);
    await sigkill(parent);
    await sleep(500);
    expect(alive(pid)).toBe(true);
    expect(await linkExists(ns(), name)).toBe(true);
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

  it("dieWithParent fails before spawning when setpriv is missing, naming its package", async () => {
    const name = uniqueName("wg");
    const error = await startWireguardGo({ name, dieWithParent: true, setprivPath: "/nonexistent/setpriv" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "io",
      message: expect.stringMatching(/setpriv was not found.*apt-get install util-linux/),
    });
    expect(existsSync(`/var/run/wireguard/${name}.sock`)).toBe(false);
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
