// Issue 16's acceptance on `npm start` as a user gets it: its three registered nodes appear in `wg402 nodes` with
// their prices and regions, a node whose `GET /` lies about its WireGuard key is flagged untrusted (and never
// picked), and `wg402 connect --best` picks the cheapest verified node and pings through it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalStack, readLocalStack } from "@wg402/shared";
import { runCommand } from "@wg402/wireguard";
import { describeOrSkip, uniqueName, userspaceSkipReason } from "@wg402/wireguard/testing";
import { registryWriter } from "../client/src/testing/registryWriter.ts";
import { type CliProcess, spawnCli, waitForEvent } from "./cliProcess.ts";
import { type Stack, startStack, stopStack } from "./npmStart.ts";

const skip = await userspaceSkipReason({ needWg: true });

type Listed = {
  url: string;
  country: string;
  label: string;
  trust: string;
  problems: string[];
  pricePerMinute: string;
  pricePerMb: string;
};

/** Each node `npm start` printed: its service name, URL and tunnel gateway (the first address of its subnet). */
function printedNodes(output: string): { service: string; url: string; gateway: string }[] {
  const found: { service: string; url: string; gateway: string }[] = [];
  const pattern = /^(agent\S*)\s+(http:\/\/\S+).*\n\s+node \S+ via \S+, tunnel subnet (\d+\.\d+)\.0\.0\/16/gm;
  for (const match of output.matchAll(pattern)) {
    found.push({ service: match[1] as string, url: match[2] as string, gateway: `${match[3]}.0.1` });
  }
  return found;
}

async function runToEnd(args: string[], env: Record<string, string>) {
  const run = spawnCli(args, env);
  const code = await run.exited;
  return { code, events: run.events, junk: run.junk, stderr: run.stderr() };
}

/** A "node" that forwards `GET /` to a real one: its answer then names a key its registry entry does not. */
async function startImpostor(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const upstream = await fetch(new URL(request.url ?? "/", target));
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Registers `url` under a fresh WireGuard key, with the entry of the node it impersonates otherwise. */
async function registerImpostor(
  local: LocalStack,
  url: string,
  copyOf: { signer: string; pricePerMinute: string; pricePerMb: string },
) {
  const writer = registryWriter(local, local.chain.rpcUrl);
  await writer.fund(1);
  await writer.register([
    {
      wireguardKey: randomBytes(32).toString("base64"),
      payTo: local.accounts.operator.address,
      signer: copyOf.signer,
      pricePerMinute: copyOf.pricePerMinute,
      pricePerMb: copyOf.pricePerMb,
      schemes: ["exact"],
      country: "NL",
      url,
      label: "Impostor",
    },
  ]);
}

describeOrSkip(skip, "npm start's market: registry, discovery and connect --best", () => {
  let dir: string;
  let stack: Stack | undefined;
  let local: LocalStack;
  let impostor: Server | undefined;
  let connect: CliProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wg402-market-"));
    stack = await startStack({ WG402_STACK_DIR: dir });
    local = await readLocalStack(stack.stackFile);
    env = { WG402_STACK_FILE: stack.stackFile, WG402_HOME: join(dir, "home") };
  }, 150_000);

  afterAll(async () => {
    if (connect && connect.child.exitCode === null) {
      connect.child.kill("SIGINT");
      await connect.exited;
    }
    impostor?.close();
    await stopStack(stack?.child);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("lists the three nodes with the regions and prices they registered, each verified", async () => {
    const printed = printedNodes((stack as Stack).output);
    expect(printed.map((n) => n.service)).toEqual(["agent", "agent-nl", "agent-us"]);
    const run = await runToEnd(["nodes", "--json"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const nodes = (run.events[0] as { nodes: Listed[] }).nodes;
    const byCountry = Object.fromEntries(nodes.map((n) => [n.country, n]));
    expect(Object.keys(byCountry).sort()).toEqual(["DE", "NL", "US"]);
    expect(byCountry.DE).toMatchObject({ label: "Frankfurt", pricePerMinute: "1000", pricePerMb: "1000" });
    expect(byCountry.NL).toMatchObject({ label: "Amsterdam", pricePerMinute: "800", pricePerMb: "2000" });
    expect(byCountry.US).toMatchObject({ label: "New York", pricePerMinute: "1500", pricePerMb: "0" });
    for (const node of nodes)
      expect({ url: node.url, trust: node.trust }).toEqual({ url: node.url, trust: "verified" });
    expect(nodes.map((n) => n.url).sort()).toEqual(printed.map((n) => n.url).sort());
  }, 60_000);

  it("flags a node whose GET / names another WireGuard key than its entry as untrusted", async () => {
    const nl = printedNodes((stack as Stack).output).find((n) => n.service === "agent-nl");
    if (!nl) throw new Error("npm start printed no agent-nl");
    const real = (await (await fetch(nl.url)).json()) as { offerSigner: string };
    const fake = await startImpostor(nl.url);
    impostor = fake.server;
    await registerImpostor(local, fake.url, { signer: real.offerSigner, pricePerMinute: "800", pricePerMb: "2000" });
    const run = await runToEnd(["nodes", "--json"], env);
    expect(run.code).toBe(0);
    const nodes = (run.events[0] as { nodes: Listed[] }).nodes;
    const listed = nodes.find((n) => n.url === fake.url);
    expect(listed?.trust).toBe("untrusted");
    expect(listed?.problems).toContain("key_mismatch");
    expect(nodes.filter((n) => n.trust === "verified")).toHaveLength(3);
  }, 60_000);

  it("connect --best picks the cheapest verified node (NL), never the impostor, and pings through it", async () => {
    const nl = printedNodes((stack as Stack).output).find((n) => n.service === "agent-nl");
    if (!nl) throw new Error("npm start printed no agent-nl");
    connect = spawnCli(
      ["connect", "--best", "--minutes", "2", "--driver", "userspace", "--interface", uniqueName("wg402m"), "--json"],
      { ...env, WG402_PRIVATE_KEY: local.accounts.demo.privateKey },
    );
    const best = (await waitForEvent(connect, "best", 1, 60_000)) as {
      node: { url: string; trust: string };
      candidates: { url: string }[];
    };
    // Price alone decides (the wide --latency-slack): NL is the cheapest, the impostor is not a candidate.
    expect(best.candidates.map((c) => c.url).sort()).toEqual(
      printedNodes((stack as Stack).output)
        .map((n) => n.url)
        .sort(),
    );
    expect(best.node).toMatchObject({ url: nl.url, trust: "verified" });
    await waitForEvent(connect, "connected", 1, 60_000);
    const { stdout } = await runCommand("ping", ["-n", "-c", "3", "-W", "2", nl.gateway]);
    expect(stdout).toMatch(/3 (packets )?received/);
    connect.child.kill("SIGINT");
    expect(await connect.exited).toBe(0);
  }, 120_000);
});
