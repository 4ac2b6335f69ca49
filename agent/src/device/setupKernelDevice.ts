import { configureInterface, WgCliDriver } from "@wg402/wireguard";
import { clearStaleInterface } from "./clearStaleInterface.ts";
import { describeDevice } from "./describeDevice.ts";
import { addKernelLink, deleteLink } from "./links.ts";
import type { LoadedPrivateKey } from "./privateKeyFile.ts";
import { readWgIdentity } from "./readInterfaceIdentity.ts";
import type { Device, DeviceOptions } from "./types.ts";

/**
 * A kernel WireGuard link driven through `wg`. A kernel link that an earlier run left is reused as it is,
 * peers and sessions included (the reconciler then fixes the peer list); a wireguard-go left under the
 * name is stopped. Nothing to supervise: the link does not die with a process. stop() deletes the link.
 */
export async function setupKernelDevice(options: DeviceOptions, key: LoadedPrivateKey): Promise<Device> {
  const { interfaceName: name, netns, listenPort, address, logger } = options;
  const { kernelLinkKept } = await clearStaleInterface({ name, netns, logger, keepKernelLink: true });
  if (kernelLinkKept) {
    logger.warn({ interface: name, netns }, "reusing the kernel WireGuard link an earlier run left");
  } else {
    await addKernelLink(name, netns);
  }
  const driver = new WgCliDriver({ interfaceName: name, netns });
  try {
    // `via: "wg"`: the key goes through a pipe to `wg`, never argv.
    await configureInterface({ name, netns, privateKey: key.privateKey, listenPort, address, via: "wg" });
    const identity = await readWgIdentity(name, netns);
    const describe = describeDevice("kernel WireGuard", name, netns, identity.listenPort, [address]);
    logger.info({ interface: name, netns, publicKey: key.publicKey }, `started ${describe}`);
    let stopping: Promise<void> | null = null;
    return {
      driver,
      publicKey: key.publicKey,
      kind: "kernel",
      describe,
      onRecreated: () => () => undefined,
      stop() {
        stopping ??= (async () => {
          await driver.close();
          await deleteLink(name, netns);
        })();
        return stopping;
      },
    };
  } catch (error) {
    await driver.close();
    await deleteLink(name, netns).catch(() => undefined);
    throw error;
  }
}
