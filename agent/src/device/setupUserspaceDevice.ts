import { configureInterface, startWireguardGo, UapiDriver, uapiSocketPath } from "@wg402/wireguard";
import { clearStaleInterface } from "./clearStaleInterface.ts";
import { describeDevice } from "./describeDevice.ts";
import type { LoadedPrivateKey } from "./privateKeyFile.ts";
import { readUapiIdentity } from "./readInterfaceIdentity.ts";
import { superviseWireguardGo } from "./superviseWireguardGo.ts";
import type { Device, DeviceOptions } from "./types.ts";

const DEFAULT_BACKOFF = { initial: 250, max: 30_000 };

/**
 * A supervised wireguard-go that the kernel kills when the agent dies (`setpriv --pdeathsig KILL`), so a
 * SIGKILLed agent leaves no peer serving. Whatever an earlier run left under the name is cleared first, a
 * still-running wireguard-go included (see clearStaleInterface). The driver is one UapiDriver for the
 * device's whole life: its connection drops when wireguard-go dies and it reconnects on the next request.
 */
export async function setupUserspaceDevice(options: DeviceOptions, key: LoadedPrivateKey): Promise<Device> {
  const { interfaceName: name, netns, listenPort, address, logger } = options;
  const socketPath = uapiSocketPath(name);

  const launch = async () => {
    await clearStaleInterface({ name, netns, logger, keepKernelLink: false });
    // It dies with the agent, however the agent dies: a peer must not outlive its lease while no agent is
    // there to expire it. Supervision brings it back, and start-up re-applies every paid peer.
    const wireguardGo = await startWireguardGo({ name, netns, dieWithParent: true });
    try {
      await configureInterface({ name, netns, privateKey: key.privateKey, listenPort, address, via: "uapi" });
    } catch (error) {
      await wireguardGo.stop();
      throw error;
    }
    return wireguardGo;
  };

  const supervisor = await superviseWireguardGo({
    name,
    launch,
    logger,
    backoff: options.restartBackoffMs ?? DEFAULT_BACKOFF,
  });
  const driver = new UapiDriver({ socketPath });
  try {
    // Read back, so the line shows the port actually bound (listenPort 0 lets the device choose).
    const identity = await readUapiIdentity(socketPath);
    const describe = describeDevice("wireguard-go", name, netns, identity.listenPort, [address]);
    logger.info({ interface: name, netns, pid: supervisor.pid, publicKey: key.publicKey }, `started ${describe}`);
    return {
      driver,
      publicKey: key.publicKey,
      kind: "userspace",
      describe,
      onRecreated: (listener) => supervisor.onRecreated(listener),
      async stop() {
        // The driver first, so a request in flight finishes against a live device.
        await driver.close();
        await supervisor.stop();
      },
    };
  } catch (error) {
    await supervisor.stop();
    await driver.close();
    throw error;
  }
}
