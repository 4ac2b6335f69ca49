import { configureInterface } from "../configureInterface.ts";
import { detectWireguardSupport } from "../detectSupport.ts";
import type { DriverFixture } from "../driverContract.ts";
import { generateKeyPair, type KeyPair, keyToHex } from "../keys.ts";
import { runCommand } from "../runCommand.ts";
import type { WireguardDriver } from "../types.ts";
import { UapiClient } from "../uapiClient.ts";
import { UapiDriver } from "../uapiDriver.ts";
import { WgCliDriver } from "../wgCliDriver.ts";
import { startWireguardGo, type WireguardGoProcess } from "../wireguardGo.ts";
import { createNetnsPair, execIn, uniqueName } from "./netns.ts";

export type DeviceKind = "wireguard-go" | "kernel";

export type TestInterface = {
  name: string;
  netns: string;
  keys: KeyPair;
  listenPort: number;
  /** Tunnel address without prefix. */
  address: string;
  /** Set for wireguard-go interfaces. */
  process: WireguardGoProcess | null;
  /** Ends the process or deletes the kernel link. Idempotent. */
  stop(): Promise<void>;
};

/** Why tests needing wireguard-go in namespaces cannot run here, or null if they can. */
export async function userspaceSkipReason(options: { needWg?: boolean } = {}): Promise<string | null> {
  const support = await detectWireguardSupport();
  if (!support.root) return "needs root (network namespaces and TUN devices)";
  if (!support.tun) return "/dev/net/tun is not available";
  if (support.wireguardGo === null) return "wireguard-go is not installed (apt-get install wireguard-go)";
  if (support.ip === null) return "ip is not installed (apt-get install iproute2)";
  if (options.needWg && support.wg === null) return "wg is not installed (apt-get install wireguard-tools)";
  return null;
}

/** Why kernel WireGuard tests cannot run here: tries `ip link add type wireguard` in a throwaway namespace. */
export async function kernelSkipReason(): Promise<string | null> {
  const userspace = await userspaceSkipReason({ needWg: true });
  if (userspace !== null) return userspace;
  const ns = uniqueName("wgk");
  try {
    await runCommand("ip", ["netns", "add", ns]);
  } catch (error) {
    return `cannot create a network namespace: ${String(error)}`;
  }
  try {
    await runCommand("ip", ["-n", ns, "link", "add", uniqueName("wgk"), "type", "wireguard"]);
    return null;
  } catch (error) {
    return `\`ip link add type wireguard\` failed, so this kernel has no WireGuard: ${(error as Error).message}`;
  } finally {
    await runCommand("ip", ["netns", "del", ns]).catch(() => undefined);
  }
}

/** A configured WireGuard interface (wireguard-go or kernel) inside `netns`. */
export async function startTestInterface(options: {
  netns: string;
  /** CIDR, e.g. "10.98.0.1/24". */
  address: string;
  listenPort: number;
  keys?: KeyPair;
  device?: DeviceKind;
}): Promise<TestInterface> {
  const name = uniqueName("wg");
  const keys = options.keys ?? generateKeyPair();
  const device = options.device ?? "wireguard-go";
  let wgProcess: WireguardGoProcess | null = null;
  let stop: () => Promise<void>;
  if (device === "wireguard-go") {
    // Dies with the test process: a run that crashes leaves no wireguard-go behind.
    const started = await startWireguardGo({ name, netns: options.netns, dieWithParent: true });
    wgProcess = started;
    stop = () => started.stop();
  } else {
    await runCommand("ip", ["-n", options.netns, "link", "add", name, "type", "wireguard"]);
    stop = () =>
      runCommand("ip", ["-n", options.netns, "link", "del", name]).then(
        () => undefined,
        (error: unknown) => {
          if (!/Cannot find device|does not exist|No such/.test(String(error))) throw error;
        },
      );
  }
  try {
    await configureInterface({
      name,
      netns: options.netns,
      privateKey: keys.privateKey,
      listenPort: options.listenPort,
      address: options.address,
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const address = options.address.slice(0, options.address.indexOf("/"));
  return { name, netns: options.netns, keys, listenPort: options.listenPort, address, process: wgProcess, stop };
}

/**
 * Points a wireguard-go interface at one peer with an endpoint. Test clients need an endpoint, which the
 * agent's PeerConfig deliberately lacks (servers learn endpoints from handshakes).
 */
export async function setClientPeer(
  iface: TestInterface,
  peer: { publicKey: string; endpoint: string; allowedIps: string[] },
): Promise<void> {
  if (iface.process === null) throw new Error("setClientPeer needs a wireguard-go interface");
  const client = new UapiClient({ socketPath: iface.process.socketPath });
  try {
    const lines = [
      "set=1",
      `public_key=${keyToHex(peer.publicKey)}`,
      `endpoint=${peer.endpoint}`,
      "replace_allowed_ips=true",
      ...peer.allowedIps.map((ip) => `allowed_ip=${ip}`),
    ];
    await client.request(`${lines.join("\n")}\n\n`);
  } finally {
    await client.close();
  }
}

/** Pings until one reply comes back; the first packet may wait for a handshake. Returns ping's output. */
export async function pingFrom(netns: string, address: string, attempts = 5): Promise<string> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return (await execIn(netns, "ping", ["-n", "-c", "1", "-W", "5", address])).stdout;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

const SERVER_PORT = 51820;
const SERVER_ADDRESS = "10.98.0.1/24";

/**
 * makeDriver for the driver contract: a fresh namespace pair per test, the interface under test in `a`,
 * and traffic from wireguard-go clients in `b`. Everything is torn down in reverse order, even on failure.
 */
export function namespacedDriverFixture(
  kind: "uapi" | "wg-cli",
  device: DeviceKind = "wireguard-go",
): () => Promise<DriverFixture> {
  return async () => {
    const undo: (() => Promise<unknown>)[] = [];
    const cleanup = async () => {
      const errors: unknown[] = [];
      for (const step of undo.splice(0).reverse()) {
        await step().catch((error: unknown) => errors.push(error));
      }
      if (errors.length > 0) throw new AggregateError(errors, "fixture cleanup failed");
    };
    try {
      const pair = await createNetnsPair({ prefix: "wgc" });
      undo.push(pair.cleanup);
      const server = await startTestInterface({
        netns: pair.a,
        address: SERVER_ADDRESS,
        listenPort: SERVER_PORT,
        device,
      });
      undo.push(server.stop);
      const driver: WireguardDriver =
        kind === "uapi" && server.process !== null
          ? new UapiDriver({ socketPath: server.process.socketPath })
          : new WgCliDriver({ interfaceName: server.name, netns: pair.a });
      undo.push(() => driver.close());

      const clients = new Map<string, TestInterface>();
      const generateTraffic = async (keys: KeyPair, clientAllowedIp: string) => {
        const host = clientAllowedIp.slice(0, clientAllowedIp.indexOf("/"));
        let client = clients.get(keys.publicKey);
        if (!client) {
          client = await startTestInterface({ netns: pair.b, address: `${host}/32`, listenPort: 0, keys });
          undo.push(client.stop);
          clients.set(keys.publicKey, client);
          await setClientPeer(client, {
            publicKey: server.keys.publicKey,
            endpoint: `${pair.addrA}:${SERVER_PORT}`,
            allowedIps: [`${server.address}/32`],
          });
          await execIn(pair.b, "ip", ["route", "replace", `${server.address}/32`, "dev", client.name]);
        }
        await execIn(pair.a, "ip", ["route", "replace", clientAllowedIp, "dev", server.name]);
        await pingFrom(pair.b, server.address);
      };
      return { driver, cleanup, generateTraffic };
    } catch (error) {
      await cleanup().catch(() => undefined);
      throw error;
    }
  };
}
