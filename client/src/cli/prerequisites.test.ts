// The wg-quick driver's prerequisites are checked before any payment, against a real chain and agent: with
// iptables and nft off PATH (and resolvconf, for the node's DNS) `wg402 connect --driver wg-quick` refuses
// with the one apt line that installs them, having asked the node for nothing but its info and moved no
// token. The PATH is a directory of stand-ins for the tools that are "installed".
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonLines, runCli } from "../testing/runCli.ts";
import { type RunningAgent, startTestStack, type TestStack } from "../testing/testStack.ts";
import { ExitCode } from "./exitCodes.ts";

let stack: TestStack;
let node: RunningAgent;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  node = await stack.startAgent();
  dir = await mkdtemp(join(tmpdir(), "wg402-prereq-"));
});

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A PATH holding only stand-ins named `tools`. */
async function pathWith(name: string, tools: string[]): Promise<string> {
  const bin = join(dir, name);
  await mkdir(bin, { recursive: true });
  for (const tool of tools) {
    await writeFile(join(bin, tool), "#!/bin/sh\nexit 0\n");
    await chmod(join(bin, tool), 0o755);
  }
  return bin;
}

function recordingFetch() {
  const seen: { request: string; paid: boolean }[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    seen.push({
      request: `${request.method} ${new URL(request.url).pathname}`,
      paid: request.headers.has("payment-signature"),
    });
    return fetch(request);
  };
  return { seen, fetchImpl };
}

describe("wg402 connect --driver wg-quick checks its tools before paying", () => {
  it("names iptables (or nft) and resolvconf with one apt line, and pays nothing", async () => {
    const wallet = await stack.fundedWallet(50_000n);
    const PATH = await pathWith("no-firewall", ["wg-quick", "wg", "ip", "wireguard-go"]);
    const { seen, fetchImpl } = recordingFetch();
    const result = await runCli(["connect", node.url, "--driver", "wg-quick", "--minutes", "5", "--json"], {
      env: { ...stack.env, WG402_HOME: join(dir, "home-1"), WG402_PRIVATE_KEY: wallet.privateKey, PATH },
      isRoot: () => true,
      fetch: fetchImpl,
    });
    expect(result.code).toBe(ExitCode.permission);
    expect(result.stdout).toBe("");
    const [error] = jsonLines(result.stderr);
    expect(error).toMatchObject({ error: "tool_missing" });
    expect(error?.message).toMatch(
      /^the wg-quick driver needs resolvconf \(.*--ignore-dns.*\), iptables-restore or nft /,
    );
    expect(error?.message).toMatch(/: apt-get install openresolv iptables($|;)/);
    expect(seen).toEqual([{ request: "GET /", paid: false }]);
    expect(await stack.balanceOf(wallet.address)).toBe(50_000n);
  });

  it("with --ignore-dns needs only the firewall tool, and names wireguard-tools when wg-quick is missing", async () => {
    const wallet = await stack.fundedWallet(50_000n);
    const env = { ...stack.env, WG402_HOME: join(dir, "home-2"), WG402_PRIVATE_KEY: wallet.privateKey };
    const noFirewall = await runCli(["connect", node.url, "--driver", "wg-quick", "--minutes", "5", "--ignore-dns"], {
      env: { ...env, PATH: await pathWith("no-firewall-2", ["wg-quick", "wg", "ip", "wireguard-go"]) },
      isRoot: () => true,
    });
    expect(noFirewall.code).toBe(ExitCode.permission);
    expect(noFirewall.stderr).toMatch(
      /^wg402: the wg-quick driver needs iptables-restore or nft \(wg-quick's full tunnel sets firewall rules with it\): apt-get install iptables/,
    );
    const nothing = await runCli(["connect", node.url, "--driver", "wg-quick", "--minutes", "5", "--ignore-dns"], {
      env: { ...env, PATH: await pathWith("empty", []) },
      isRoot: () => true,
    });
    expect(nothing.stderr).toMatch(/apt-get install wireguard-tools iproute2 (wireguard-go )?iptables/);
    expect(nothing.stderr).not.toMatch(/\n\s+at /);
    expect(await stack.balanceOf(wallet.address)).toBe(50_000n);
  });
});
