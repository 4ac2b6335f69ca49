// A stand-in agent for crash tests: sets up the device, adds one peer (and `extraPeers` random ones), says
// "ready", then waits to be killed with SIGKILL, leaving behind whatever a real agent would. Options come as
// JSON in WG402_DEVICE.
import { randomBytes } from "node:crypto";
import { setupDevice } from "../setupDevice.ts";
import type { DeviceOptions } from "../types.ts";

const {
  peer,
  extraPeers = 0,
  ...options
} = JSON.parse(process.env.WG402_DEVICE ?? "{}") as Omit<DeviceOptions, "logger"> & {
  peer: string;
  extraPeers?: number;
};
const print = (level: string) => (fields: object, message: string) => {
  process.stderr.write(`${level} ${message} ${JSON.stringify(fields)}\n`);
};
const device = await setupDevice({
  ...options,
  logger: { info: print("info"), warn: print("warn"), error: print("error") },
});
await device.driver.apply({ upsert: [{ publicKey: peer, allowedIps: ["10.64.9.9/32"] }], remove: [] });
for (let i = 0; i < extraPeers; i += 1_000) {
  const upsert = Array.from({ length: Math.min(1_000, extraPeers - i) }, (_, j) => ({
    publicKey: randomBytes(32).toString("base64"),
    allowedIps: [`10.${65 + Math.floor((i + j) / 65_536)}.${Math.floor((i + j) / 256) % 256}.${(i + j) % 256}/32`],
  }));
  await device.driver.apply({ upsert, remove: [] });
}
process.stdout.write("ready\n");
setInterval(() => undefined, 60_000);
