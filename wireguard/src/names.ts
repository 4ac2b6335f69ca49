import { WireguardError } from "./types.ts";

// Linux caps interface names at 15 bytes. No leading "-": these names end up as command arguments.
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
// `ip netns` names become files in /run/netns.
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function assertInterfaceName(name: string): void {
  if (!INTERFACE_NAME.test(name)) {
    throw new WireguardError(`invalid interface name ${JSON.stringify(name)}`, { code: "invalid_argument" });
  }
}

export function assertNetnsName(name: string): void {
  if (!NETNS_NAME.test(name) || name === "." || name === "..") {
    throw new WireguardError(`invalid network namespace name ${JSON.stringify(name)}`, { code: "invalid_argument" });
  }
}
