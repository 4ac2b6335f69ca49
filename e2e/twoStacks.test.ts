// Two `npm start` stacks on one host, started with the same defaults: each must pick its own ports, stack
// file, veth /30, tunnel subnet and names, and each demo client must reach its own node and not the other.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "@wg402/wireguard";
import { describeOrSkip, userspaceSkipReason } from "@wg402/wireguard/testing";
import { type Stack, startStack, stopStack as stop } from "./npmStart.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const skip = await userspaceSkipReason({ needWg: true });

/** The printed connect command, run as printed (its env assignments, then the CLI), with --json. */
function runConnectLine(line: string, home: string): ChildProcess {
  const words = line.replace(/^sudo /, "").split(/\s+/);
  const env: Record<string, string> = { WG402_HOME: home };
  while (words[0]?.includes("=")) {
    const [name, ...value] = (words.shift() as string).split("=");
    env[name as string] = value.join("=");
  }
  const args = words.slice(words.indexOf("--") + 1);
  return spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", join(ROOT, "client", "bin", "wg402.js"), ...args, "--json"],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
}

function connected(child: ChildProcess): Promise<void> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection:\n${output}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/"event":"connected"/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`connect exited with ${code}:\n${output}`)));
  });
}

describeOrSkip(skip, "two local stacks on one host", () => {
  let dir: string;
  const stacks: Stack[] = [];
  const clients: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-two-stacks-"));
    // The same defaults for both: the second must notice the first and step aside.
    stacks.push(await startStack({ WG402_STACK_DIR: dir }));
    stacks.push(await startStack({ WG402_STACK_DIR: dir }));
  }, 200_000);

  afterAll(async () => {
    for (const client of clients) await stop(client);
    for (const stack of stacks.reverse()) await stop(stack.child);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("gives each stack its own ports, stack file, veth /30 and tunnel subnet", () => {
    const [a, b] = stacks as [Stack, Stack];
    expect(a.agentUrl).not.toBe(b.agentUrl);
    expect(a.stackFile).not.toBe(b.stackFile);
    expect(a.endpoint).not.toBe(b.endpoint);
    expect(a.hostInterface).not.toBe(b.hostInterface);
    expect(a.gateway).not.toBe(b.gateway);
    for (const name of ["chain", "facilitator", "ui"]) {
      const url = (s: Stack) => new RegExp(`^${name}\\s+(\\S+)`, "m").exec(s.output)?.[1];
      expect(url(a)).toBeDefined();
      expect(url(a)).not.toBe(url(b));
    }
  });

  it("routes each node's endpoint through its own veth, and each client pings its own node", async () => {
    for (const stack of stacks) {
      const { stdout } = await runCommand("ip", ["-4", "route", "get", stack.endpoint]);
      expect(stdout).toContain(`dev ${stack.hostInterface}`);
    }
    for (const [i, stack] of stacks.entries()) {
      const client = runConnectLine(stack.connect, join(dir, `home-${i}`));
      clients.push(client);
      await connected(client);
    }
    for (const stack of stacks) {
      await runCommand("ping", ["-n", "-c", "2", "-W", "2", stack.gateway]);
    }
  }, 150_000);
});
