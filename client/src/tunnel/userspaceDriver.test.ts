// The userspace driver in two network namespaces joined by a veth: a wireguard-go "server" in one stands in
// for the node, the client's tunnel comes up in the other from a config text. Traffic only ever goes to
// addresses inside these namespaces; both are deleted, with every interface and process, even on failure.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "@wg402/agent";
import { UapiDriver, uapiSocketPath } from "@wg402/wireguard";
import {
  createNetnsPair,
  describeOrSkip,
  execIn,
  type NetnsPair,
  pingFrom,
  uniqueName,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { ExitCode } from "../cli/exitCodes.ts";
import { jsonLines, runCli, startCli } from "../testing/runCli.ts";
import { type StandInNode, startStandInNode } from "../testing/standInNode.ts";
import { startTestStack } from "../testing/testStack.ts";
import type { TunnelHandle } from "./types.ts";
import { UserspaceDriver } from "./userspaceDriver.ts";
import { parseWgQuickConfig } from "./wgQuickConfig.ts";

const skip = await userspaceSkipReason();

/** Where the namespace would send a packet for `address`: "dev <name>", or the error when it cannot. */
async function routeTo(netns: string, address: string): Promise<string> {
  return execIn(netns, "ip", ["route", "get", address]).then(
    (r) => /dev (\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim(),
    (error: Error) => `unroutable: ${error.message.split(": ").at(-1)}`,
  );
}

const pingFails = (netns: string, address: string) =>
  execIn(netns, "ping", ["-n", "-c", "1", "-W", "1", address]).then(
    () => false,
    () => true,
  );

describeOrSkip(skip, "UserspaceDriver in network namespaces", () => {
  it("carries pings through the tunnel; the kill switch stops them with no route back to the veth", async () => {
    let node: StandInNode | undefined;
    let handle: TunnelHandle | undefined;
    let client: UserspaceDriver | undefined;
    try {
      node = await startStandInNode({ prefix: "wgcl", subnet: "10.99.0" });
      const { pair, serverDriver } = node;
      const configText = node.configText({ allowedIps: "0.0.0.0/0, ::/0", keepalive: 25 });
      const name = uniqueName("wgcl");
      client = new UserspaceDriver({ netns: pair.b });
      await client.precheck({ dns: [] });
      const up = await client.up({ interfaceName: name, configText, config: parseWgQuickConfig(configText) });
      handle = up.handle;
      expect(handle).toMatchObject({ driver: "userspace", interfaceName: name, netns: pair.b, blocked: false });

      expect(await pingFrom(pair.b, "10.99.0.1")).toMatch(/1 received/);
      const [seen] = await serverDriver.listPeers();
      expect(seen?.endpoint).toBe(`${pair.addrB}:${seen?.endpoint?.split(":")[1]}`);
      expect(seen?.rxBytes).toBeGreaterThan(0);
      // The client's own device is the evidence that the tunnel works: a handshake, and bytes from the node.
      const reading = await client.readPeer(handle);
      expect(reading?.lastHandshakeAt).toBeGreaterThan(Date.now() - 60_000);
      expect(reading?.rxBytes).toBeGreaterThan(0);
      // Everything goes through the tunnel except its own UDP to the endpoint.
      expect(await routeTo(pair.b, "198.51.100.7")).toBe(name);
      expect(await routeTo(pair.b, "10.99.0.1")).toBe(name);
      expect(await routeTo(pair.b, pair.addrA)).toBe(pair.vethB);

      handle = await client.block(handle);
      expect(handle.blocked).toBe(true);
      expect(await pingFails(pair.b, "10.99.0.1")).toBe(true);
      // The routes stay on the interface: nothing falls back to the veth's default route.
      expect(await routeTo(pair.b, "198.51.100.7")).toBe(name);
      expect(await routeTo(pair.b, "10.99.0.1")).toBe(name);
      const routes = (await execIn(pair.b, "ip", ["route", "show"])).stdout;
      expect(routes).toContain(`0.0.0.0/1 dev ${name}`);
      expect(routes).toContain(`128.0.0.0/1 dev ${name}`);
      expect(routes).toMatch(/unreachable 0\.0\.0\.0\/1 .*metric 65000/);
      const clientPeers = new UapiDriver({ socketPath: uapiSocketPath(name) });
      expect(await clientPeers.listPeers()).toEqual([]);
      await clientPeers.close();
      expect(await client.readPeer(handle)).toBeNull();

      // Even if the interface disappears, the blocking routes hold: still nothing through the veth.
      await execIn(pair.b, "ip", ["link", "del", name]);
      expect(await routeTo(pair.b, "198.51.100.7")).toMatch(/^unroutable/);
      expect(await pingFails(pair.b, "10.99.0.1")).toBe(true);

      await client.down(handle);
      handle = undefined;
      const after = (await execIn(pair.b, "ip", ["route", "show"])).stdout;
      expect(after).not.toMatch(/0\.0\.0\.0\/1|128\.0\.0\.0\/1|unreachable/);
      expect(after).toContain(`default via ${pair.addrA}`);
      expect(existsSync(uapiSocketPath(name))).toBe(false);
    } finally {
      if (handle) await client?.down(handle).catch(() => undefined);
      await node?.stop();
    }
  });

  it.each(["Ctrl-C", "wg402 disconnect"])(
    "wg402 connect --driver userspace --netns: tunnel up, kill switch at expiry, all gone after %s",
    async (how) => {
      let pair: NetnsPair | undefined;
      const stack = await startTestStack();
      const home = await mkdtemp(join(tmpdir(), "wg402-userspace-"));
      const controller = new AbortController();
      let running: ReturnType<typeof startCli> | undefined;
      let agent: AgentProcess | undefined;
      try {
        pair = await createNetnsPair({ prefix: "wgcc" });
        await execIn(pair.b, "ip", ["route", "add", "default", "via", pair.addrA]);
        // A real node (its WireGuard in wireguard-go, in the other namespace), since "connected" needs a
        // handshake; 2-second minutes; the endpoint sits across the veth so the driver pins a route to it.
        agent = await startAgentProcess({
          ...stack.agentEnv,
          AGENT_DB_PATH: join(home, "agent.sqlite"),
          AGENT_WG_MODE: "userspace",
          AGENT_WG_NETNS: pair.a,
          AGENT_WG_INTERFACE: uniqueName("wgcn"),
          AGENT_WG_ENDPOINT_HOST: pair.addrA,
          AGENT_WG_SUBNET: "10.98.0.0/24",
          AGENT_WG_DNS: "",
          AGENT_WG_PRIVATE_KEY_FILE: join(home, "agent.key"),
          AGENT_SECONDS_PER_MINUTE: "2",
        });
        const node = agent;
        const wallet = await stack.fundedWallet(10_000n);
        const env = { ...stack.env, WG402_HOME: home, WG402_PRIVATE_KEY: wallet.privateKey };
        const name = uniqueName("wgcc");
        running = startCli(
          [
            "connect",
            node.url,
            "--driver",
            "userspace",
            "--netns",
            pair.b,
            "--interface",
            name,
            "--minutes",
            "1",
            "--json",
          ],
          { env, signal: controller.signal },
        );
        const read = running.stdout;
        const waitFor = async (event: string) => {
          for (let i = 0; i < 500 && !jsonLines(read()).some((e) => e.event === event); i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const found = jsonLines(read()).find((e) => e.event === event);
          if (!found) throw new Error(`no ${event}: ${read()} ${running?.stderr()}`);
          return found;
        };
        await waitFor("connected");
        expect(await routeTo(pair.b, "198.51.100.7")).toBe(name);
        expect(await routeTo(pair.b, pair.addrA)).toBe(pair.vethB);

        // One unrenewed 2-second minute later the kill switch holds the routes.
        expect(await waitFor("expired")).toMatchObject({ cause: "not_renewing" });
        await waitFor("blocked");
        expect(await routeTo(pair.b, "198.51.100.7")).toBe(name);

        if (how === "Ctrl-C") controller.abort();
        else expect((await runCli(["disconnect"], { env })).code).toBe(ExitCode.ok);
        const result = await running.done;
        expect(result.code).toBe(ExitCode.ok);
        expect(await routeTo(pair.b, "198.51.100.7")).toBe(pair.vethB);
        await expect(execIn(pair.b, "ip", ["link", "show", name])).rejects.toThrow();
        expect((await execIn(pair.b, "ip", ["route", "show"])).stdout).not.toMatch(/unreachable|\/1 /);
        expect(existsSync(join(home, "state.json"))).toBe(false);
      } finally {
        controller.abort();
        await running?.done.catch(() => undefined);
        await agent?.stop();
        await stack.stop();
        await pair?.cleanup();
        await rm(home, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
