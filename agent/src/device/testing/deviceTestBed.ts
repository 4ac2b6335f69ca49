import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetnsPair, type NetnsPair, uniqueName } from "@wg402/wireguard/testing";
import type { Device, DeviceOptions } from "../types.ts";
import { killLeftovers } from "./deviceProbes.ts";
import { createRecordingLogger } from "./recordingLogger.ts";

export type DeviceTestBed = {
  pair: NetnsPair;
  /** The namespace the device goes in. */
  netns: string;
  /** A fresh interface name, unique across namespaces and test workers. */
  name: string;
  keyFile: string;
  log: ReturnType<typeof createRecordingLogger>;
  options(overrides?: Partial<DeviceOptions>): DeviceOptions;
  /** Registers a device, or another interface name, for cleanup. */
  track(device: Device): Device;
  trackName(name: string): void;
  /** Stops devices, kills leftover wireguard-go by PID, removes sockets, namespaces and the key dir. */
  cleanup(): Promise<void>;
};

export const TUNNEL_ADDRESS = "10.64.0.1/16";
export const LISTEN_PORT = 51820;

export async function createDeviceTestBed(prefix: string): Promise<DeviceTestBed> {
  const keyDir = await mkdtemp(join(tmpdir(), "wg402-device-"));
  let pair: NetnsPair;
  try {
    pair = await createNetnsPair({ prefix });
  } catch (error) {
    await rm(keyDir, { recursive: true, force: true });
    throw error;
  }
  const name = uniqueName(prefix);
  const names = [name];
  const devices: Device[] = [];
  const log = createRecordingLogger();
  const keyFile = join(keyDir, "wg", "private.key");
  return {
    pair,
    netns: pair.a,
    name,
    keyFile,
    log,
    options: (overrides = {}) => ({
      interfaceName: name,
      listenPort: LISTEN_PORT,
      address: TUNNEL_ADDRESS,
      privateKeyFile: keyFile,
      netns: pair.a,
      mode: "userspace",
      logger: log.logger,
      restartBackoffMs: { initial: 50, max: 1_000 },
      ...overrides,
    }),
    track(device) {
      devices.push(device);
      return device;
    },
    trackName(other) {
      names.push(other);
    },
    async cleanup() {
      const errors: unknown[] = [];
      const attempt = async (step: () => Promise<unknown>) => {
        await step().catch((error: unknown) => errors.push(error));
      };
      for (const device of devices.splice(0).reverse()) await attempt(() => device.stop());
      await attempt(() => killLeftovers(names));
      await attempt(() => pair.cleanup());
      await attempt(() => rm(keyDir, { recursive: true, force: true }));
      if (errors.length > 0) throw new AggregateError(errors, "device test cleanup failed");
    },
  };
}
