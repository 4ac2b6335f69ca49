// A stand-in agent for crash tests: sets up the device, adds one peer, says "ready", then waits to be
// killed with SIGKILL, leaving behind whatever a real agent would. Options come as JSON in WG402_DEVICE.
import { setupDevice } from "../setupDevice.ts";
import type { DeviceOptions } from "../types.ts";

const { peer, ...options } = JSON.parse(process.env.WG402_DEVICE ?? "{}") as Omit<DeviceOptions, "logger"> & {
  peer: string;
};
const print = (level: string) => (fields: object, message: string) => {
  process.stderr.write(`${level} ${message} ${JSON.stringify(fields)}\n`);
};
const device = await setupDevice({
  ...options,
  logger: { info: print("info"), warn: print("warn"), error: print("error") },
});
await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.9.9/32"] }], remove: [] });
process.stdout.write("ready\n");
setInterval(() => undefined, 60_000);
