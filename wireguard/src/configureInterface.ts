import { access } from "node:fs/promises";
import { parseInterfaceAddress } from "./allowedIps.ts";
import { isValidKey, keyToHex } from "./keys.ts";
import { assertInterfaceName } from "./names.ts";
import { runCommand } from "./runCommand.ts";
import { withSecretFifo } from "./secretFifo.ts";
import { WireguardError } from "./types.ts";
import { UapiClient, uapiSocketPath } from "./uapiClient.ts";

export type ConfigureInterfaceOptions = {
  name: string;
  netns?: string;
  privateKey: string;
  /** 0 lets the device pick a port. */
  listenPort: number;
  /** The interface's own address with its prefix, e.g. "10.7.0.1/24". */
  address: string;
  /** How the key and port are set; by default UAPI when a wireguard-go control socket exists, else `wg`. */
  via?: "uapi" | "wg";
  wgPath?: string;
  ipPath?: string;
};

/**
 * Sets the private key and listen port, adds the address and brings the link up. The key goes over the
 * control socket for wireguard-go, or through a named pipe to `wg` for kernel WireGuard: never argv,
 * never a stored file.
 * Peers are left alone, so this is safe on a live interface.
 */
export async function configureInterface(options: ConfigureInterfaceOptions): Promise<void> {
  const { name, netns, privateKey, listenPort, address, ipPath } = options;
  assertInterfaceName(name);
  if (!isValidKey(privateKey)) throw new WireguardError("invalid private key", { code: "invalid_argument" });
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
    throw new WireguardError(`invalid listen port ${listenPort}`, { code: "invalid_argument" });
  }
  if (parseInterfaceAddress(address) === null) {
    throw new WireguardError(`invalid interface address ${JSON.stringify(address)}`, { code: "invalid_argument" });
  }

  const socketPath = uapiSocketPath(name);
  if ((options.via ?? ((await exists(socketPath)) ? "uapi" : "wg")) === "uapi") {
    const client = new UapiClient({ socketPath });
    try {
      await client.request(`set=1\nprivate_key=${keyToHex(privateKey)}\nlisten_port=${listenPort}\n\n`);
    } finally {
      await client.close();
    }
  } else {
    await withSecretFifo(privateKey, (keyPath) =>
      runCommand(options.wgPath ?? "wg", ["set", name, "private-key", keyPath, "listen-port", String(listenPort)], {
        netns,
        ipPath,
      }),
    );
  }
  const ip = ipPath ?? "ip";
  // `replace`, not `add`: configuring twice must not fail.
  await runCommand(ip, ["addr", "replace", address, "dev", name], { netns, ipPath });
  await runCommand(ip, ["link", "set", name, "up"], { netns, ipPath });
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
