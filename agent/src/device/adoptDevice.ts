import { stat } from "node:fs/promises";
import { UapiDriver, uapiSocketPath, WgCliDriver, type WireguardDriver } from "@wg402/wireguard";
import { describeDevice } from "./describeDevice.ts";
import { readLink } from "./links.ts";
import { type InterfaceIdentity, readUapiIdentity, readWgIdentity } from "./readInterfaceIdentity.ts";
import type { Device, DeviceOptions } from "./types.ts";

/**
 * Uses an interface someone else runs (wg-quick, systemd-networkd, an operator) exactly as it is: its key,
 * port and address are only read, never set; the key file is not used. A wireguard-go control socket
 * means UAPI, otherwise `wg`. No supervision, and stop() only closes the driver.
 */
export async function adoptDevice(options: DeviceOptions): Promise<Device> {
  const { interfaceName: name, netns, logger } = options;
  const where = netns === undefined ? "" : ` in netns ${netns}`;
  const socketPath = uapiSocketPath(name);
  const userspace = await stat(socketPath).then(
    (info) => info.isSocket(),
    () => false,
  );

  let identity: InterfaceIdentity;
  try {
    identity = userspace ? await readUapiIdentity(socketPath) : await readWgIdentity(name, netns);
  } catch (cause) {
    const how = userspace ? `its control socket ${socketPath} does not answer` : `\`wg show ${name}\`${where} failed`;
    throw new Error(`cannot adopt WireGuard interface ${name}: ${how}: ${(cause as Error).message}`, { cause });
  }
  if (identity.publicKey === null) {
    throw new Error(`cannot adopt WireGuard interface ${name}${where}: it has no private key set`);
  }

  const link = await readLink(name, netns).catch(() => null);
  if (link === null) {
    logger.warn({ interface: name, netns }, `adopted interface ${name} is not visible${where}`);
  } else if (!link.addresses.includes(options.address)) {
    logger.warn(
      { interface: name, expected: options.address, actual: link.addresses },
      "adopted interface does not carry the configured tunnel address",
    );
  }
  if (identity.listenPort !== options.listenPort) {
    logger.warn(
      { interface: name, expected: options.listenPort, actual: identity.listenPort },
      "adopted interface listens on another port than the configured one",
    );
  }

  const driver: WireguardDriver = userspace
    ? new UapiDriver({ socketPath })
    : new WgCliDriver({ interfaceName: name, netns });
  const label = userspace ? "adopted wireguard-go" : "adopted kernel WireGuard";
  const describe = describeDevice(label, name, netns, identity.listenPort, link?.addresses ?? []);
  logger.info({ interface: name, netns, publicKey: identity.publicKey }, `using ${describe}`);
  return {
    driver,
    publicKey: identity.publicKey,
    kind: "adopted",
    describe,
    onRecreated: () => () => undefined,
    stop: () => driver.close(),
  };
}
