import { fetchNodeInfo, normalizeNodeUrl } from "../node/nodeApi.ts";
import { type OpenLeaseClientOptions, openLeaseClient, type TokenCap } from "../node/openLeaseClient.ts";
import { createTunnelDriver, type TunnelDriverOptions } from "../tunnel/createTunnelDriver.ts";
import type { TunnelDriverKind } from "../tunnel/types.ts";
import { type CapSource, defaultSpendCap } from "./sessionPlan.ts";
import type { VpnSessionOptions } from "./sessionTypes.ts";
import { VpnSession } from "./vpnSession.ts";

/**
 * The session's spend cap as the user chose it: a figure in whole tokens, explicitly none, or (absent, null
 * or "default") the default of one hour at the node's price.
 */
export type SessionCapChoice = TokenCap | "none" | "default" | null;

export type OpenSessionOptions = Omit<VpnSessionOptions, "client" | "driver" | "capSource"> &
  Omit<OpenLeaseClientOptions, "beforeAccount" | "clock" | "sessionCap"> & {
    driver: TunnelDriverKind;
    tunnel: TunnelDriverOptions;
    sessionCap?: SessionCapChoice;
  };

/**
 * A session ready to `start()`, set up the one way both the CLI's `connect` and the desktop's Connect use:
 * the lease client's checks, then the tunnel driver's own (root, tools), all before the wallet is asked
 * for. A session always has a spend cap unless "none" was chosen: by default one hour at the node's price
 * (or the first purchase, when that is longer). Nothing is paid here.
 */
export async function openSession(options: OpenSessionOptions): Promise<VpnSession> {
  const {
    account,
    sessionCap,
    maxPerPayment,
    env,
    fetch,
    driver: kind,
    tunnel,
    scheme,
    requireSigned,
    ...session
  } = options;
  const driver = createTunnelDriver(kind, tunnel);
  const nodeUrl = normalizeNodeUrl(options.nodeUrl);
  const node = options.node ?? (await fetchNodeInfo(nodeUrl, { fetch }));
  const choice = sessionCap ?? "default";
  const capSource: CapSource = choice === "none" ? "none" : choice === "default" ? "default" : "explicit";
  const client = await openLeaseClient({
    nodeUrl,
    node,
    account,
    sessionCap:
      choice === "none"
        ? null
        : choice === "default"
          ? defaultSpendCap(node, session.minutes, session.megabytes)
          : choice,
    maxPerPayment,
    scheme,
    requireSigned,
    env,
    fetch,
    clock: session.clock,
    beforeAccount: (info) => driver.precheck({ dns: info.dns, allowedIps: null }),
  });
  return new VpnSession({ ...session, capSource, client, driver });
}
