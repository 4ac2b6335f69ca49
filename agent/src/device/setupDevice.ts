import { detectWireguardSupport, uapiSocketPath } from "@wg402/wireguard";
import { adoptDevice } from "./adoptDevice.ts";
import { chooseBackend } from "./chooseBackend.ts";
import { formatMode, loadOrCreatePrivateKey } from "./privateKeyFile.ts";
import { setupKernelDevice } from "./setupKernelDevice.ts";
import { setupUserspaceDevice } from "./setupUserspaceDevice.ts";
import type { Device, DeviceOptions } from "./types.ts";

/** Creates (or adopts) the agent's WireGuard interface; see DeviceOptions.mode. */
export async function setupDevice(options: DeviceOptions): Promise<Device> {
  // Validates the name before anything runs with it.
  uapiSocketPath(options.interfaceName);
  if (options.mode === "adopt") return adoptDevice(options);

  const backend = chooseBackend(options.mode, await detectWireguardSupport());
  const key = await loadOrCreatePrivateKey(options.privateKeyFile);
  const { logger, privateKeyFile: path } = options;
  if (key.created) logger.info({ path, publicKey: key.publicKey }, "created a new WireGuard private key");
  if (key.tightenedFrom !== null) {
    logger.warn(
      { path, mode: formatMode(key.tightenedFrom) },
      "the WireGuard private key file was readable by group or others; tightened it to 0600",
    );
  }
  return backend === "kernel" ? setupKernelDevice(options, key) : setupUserspaceDevice(options, key);
}
