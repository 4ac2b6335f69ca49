// The two ways a paid lease can fail to become a working tunnel, and what is undone then: the driver does
// not come up, or it does but WireGuard never handshakes. Either way the lease is closed again (an `exact`
// payment stays paid), so nothing keeps running, or renewing, for a tunnel that carries nothing.
import type { UsageReceipt } from "@wg402/shared";
import { ErrorCode } from "@wg402/shared";
import type { KeyPair } from "@wg402/wireguard";
import { ClientError, isClientError } from "../errors.ts";
import type { CreatedLease, LeaseClient } from "../node/leaseClient.ts";
import type { TunnelDriver, TunnelHandle, TunnelUp } from "../tunnel/types.ts";
import { parseWgQuickConfig, renderTunnelConfig } from "../tunnel/wgQuickConfig.ts";

/** The driver up with the node's config and the client's own key; on failure the lease is closed again. */
export async function bringUpTunnel(p: {
  client: LeaseClient;
  driver: TunnelDriver;
  interfaceName: string;
  created: CreatedLease;
  keys: KeyPair;
}): Promise<TunnelUp> {
  try {
    const configText = renderTunnelConfig(p.created.tunnel.configText, p.keys.privateKey);
    return await p.driver.up({ interfaceName: p.interfaceName, configText, config: parseWgQuickConfig(configText) });
  } catch (error) {
    const receipt = await p.client.close(p.created.lease.id).catch(() => null);
    const closed = receipt ? `; lease ${p.created.lease.id} was closed again` : "";
    throw isClientError(error)
      ? new ClientError(`${error.shortMessage}${closed}`, { code: error.code, cause: error })
      : new ClientError(`the tunnel did not come up${closed}`, { code: ErrorCode.tunnel_failed, cause: error });
  }
}

/** Closes a lease whose tunnel never handshook and takes the tunnel down; says why closing failed, if it did. */
export async function closeUnusedLease(p: {
  client: LeaseClient;
  driver: TunnelDriver;
  leaseId: string;
  handle: TunnelHandle | null;
}): Promise<{ receipt: UsageReceipt | null; closeFailure: string | null }> {
  let receipt: UsageReceipt | null = null;
  let closeFailure: string | null = null;
  try {
    receipt = await p.client.close(p.leaseId);
  } catch (error) {
    if (!isClientError(error, ErrorCode.lease_not_active, ErrorCode.lease_not_found)) {
      closeFailure = isClientError(error) ? error.shortMessage : String(error);
    }
  }
  if (p.handle) await p.driver.down(p.handle).catch(() => undefined);
  return { receipt, closeFailure };
}
