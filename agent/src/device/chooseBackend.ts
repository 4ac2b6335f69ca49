import type { WireguardSupport } from "@wg402/wireguard";

export type Backend = "userspace" | "kernel";

/**
 * The back end a mode runs on this machine. `auto` prefers kernel WireGuard (faster, survives the agent)
 * and falls back to wireguard-go. Throws, saying what is missing and what to install, when the mode
 * cannot run.
 */
export function chooseBackend(mode: "auto" | Backend, support: WireguardSupport): Backend {
  if (mode !== "auto") {
    const gaps = mode === "kernel" ? kernelGaps(support) : userspaceGaps(support);
    if (gaps.length > 0) throw new Error(`${LABEL[mode]} cannot run here: ${gaps.join("; ")}`);
    return mode;
  }
  if (kernelGaps(support).length === 0) return "kernel";
  if (userspaceGaps(support).length === 0) return "userspace";
  const problems = support.problems.length > 0 ? support.problems : userspaceGaps(support);
  const install =
    support.missing.length > 0 ? ` Install the Debian packages: apt-get install ${support.missing.join(" ")}.` : "";
  throw new Error(`neither kernel WireGuard nor wireguard-go can run here: ${problems.join("; ")}.${install}`);
}

const LABEL: Record<Backend, string> = { kernel: "kernel WireGuard", userspace: "wireguard-go" };

const NOT_ROOT = "not running as root (creating interfaces needs root or CAP_NET_ADMIN)";
const NO_IP = "`ip` not found: apt-get install iproute2";

function kernelGaps(support: WireguardSupport): string[] {
  const gaps: string[] = [];
  if (!support.root) gaps.push(NOT_ROOT);
  if (!support.kernel) gaps.push("this kernel has no WireGuard module (use the userspace mode with wireguard-go)");
  if (support.wg === null) gaps.push("`wg` not found: apt-get install wireguard-tools");
  if (support.ip === null) gaps.push(NO_IP);
  return gaps;
}

function userspaceGaps(support: WireguardSupport): string[] {
  const gaps: string[] = [];
  if (!support.root) gaps.push(NOT_ROOT);
  if (!support.tun) gaps.push("/dev/net/tun is missing or not accessible (wireguard-go needs it)");
  if (support.wireguardGo === null) gaps.push("`wireguard-go` not found: apt-get install wireguard-go");
  if (support.ip === null) gaps.push(NO_IP);
  return gaps;
}
