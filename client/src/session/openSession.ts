import { type OpenLeaseClientOptions, openLeaseClient } from "../node/openLeaseClient.ts";
import { createTunnelDriver, type TunnelDriverOptions } from "../tunnel/createTunnelDriver.ts";
import type { TunnelDriverKind } from "../tunnel/types.ts";
import type { VpnSessionOptions } from "./sessionTypes.ts";
import { VpnSession } from "./vpnSession.ts";

export type OpenSessionOptions = Omit<VpnSessionOptions, "client" | "driver"> &
  Omit<OpenLeaseClientOptions, "beforeAccount" | "clock"> & {
    driver: TunnelDriverKind;
    tunnel: TunnelDriverOptions;
  };

/**
 * A session ready to `start()`, set up the one way both the CLI's `connect` and the desktop's Connect use:
 * the lease client's checks, then the tunnel driver's own (root, tools), all before the wallet is asked
 * for. Nothing is paid here.
 */
export async function openSession(options: OpenSessionOptions): Promise<VpnSession> {
  const { nodeUrl, node, account, sessionCap, maxPerPayment, env, fetch, driver: kind, tunnel, ...session } = options;
  const driver = createTunnelDriver(kind, tunnel);
  const client = await openLeaseClient({
    nodeUrl,
    node,
    account,
    sessionCap,
    maxPerPayment,
    env,
    fetch,
    clock: session.clock,
    beforeAccount: (info) => driver.precheck({ dns: info.dns }),
  });
  return new VpnSession({ ...session, client, driver });
}
