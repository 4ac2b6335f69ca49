import { runCommand } from "@wg402/wireguard";

export type LinkInfo = {
  /** `ip -details` info_kind: "wireguard", "tun", "veth", ...; null for kind-less devices. */
  kind: string | null;
  /** For a TUN: it outlives the process that made it (`ip tuntap add`), so nothing holds it. */
  persistent: boolean;
  /** The link's addresses with prefix, e.g. ["10.64.0.1/16"], link-local ones left out. */
  addresses: string[];
};

const NO_DEVICE = /does not exist|Cannot find device|No such device/;

type IpLink = { linkinfo?: { info_kind?: string; info_data?: { persist?: boolean } } };
type IpAddr = { addr_info?: { local?: string; prefixlen?: number; scope?: string }[] };

/** The link named `name` in `netns` (or the current namespace), or null if there is none. */
export async function readLink(name: string, netns: string | undefined): Promise<LinkInfo | null> {
  let linkJson: string;
  try {
    linkJson = (await runCommand("ip", ["-details", "-json", "link", "show", "dev", name], { netns })).stdout;
  } catch (error) {
    if (NO_DEVICE.test(String(error))) return null;
    throw error;
  }
  const [link] = JSON.parse(linkJson) as IpLink[];
  if (link === undefined) return null;
  const addrJson = (await runCommand("ip", ["-json", "addr", "show", "dev", name], { netns })).stdout;
  const addresses = (JSON.parse(addrJson) as IpAddr[])
    .flatMap((entry) => entry.addr_info ?? [])
    // Link-local addresses (fe80::/64) come with every link; they are not the tunnel's.
    .filter((info) => info.local !== undefined && info.prefixlen !== undefined && info.scope !== "link")
    .map((info) => `${info.local}/${info.prefixlen}`);
  return {
    kind: link.linkinfo?.info_kind ?? null,
    persistent: link.linkinfo?.info_data?.persist === true,
    addresses,
  };
}

/** `ip link del`; a link that is already gone is fine. */
export async function deleteLink(name: string, netns: string | undefined): Promise<void> {
  try {
    await runCommand("ip", ["link", "del", "dev", name], { netns });
  } catch (error) {
    if (!NO_DEVICE.test(String(error))) throw error;
  }
}

export async function addKernelLink(name: string, netns: string | undefined): Promise<void> {
  await runCommand("ip", ["link", "add", "dev", name, "type", "wireguard"], { netns });
}
