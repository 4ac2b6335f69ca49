import { isEmptyChange, normalizePeerChange } from "./normalizePeerChange.ts";
import { type PeerChange, type PeerStatus, type WireguardDriver, WireguardError } from "./types.ts";
import { UapiClient } from "./uapiClient.ts";
import { encodeSetRequest, GET_REQUEST, parseGetResponse } from "./uapiProtocol.ts";

export type UapiDriverOptions = {
  /** Usually `uapiSocketPath(interfaceName)`, or the `socketPath` that startWireguardGo returns. */
  socketPath: string;
  timeoutMs?: number;
};

/** Drives wireguard-go (or anything speaking the cross-platform UAPI) over one persistent control connection. */
export class UapiDriver implements WireguardDriver {
  readonly kind = "uapi";
  readonly #client: UapiClient;

  constructor(options: UapiDriverOptions) {
    this.#client = new UapiClient(options);
  }

  async listPeers(): Promise<PeerStatus[]> {
    return parseGetResponse(await this.#client.request(GET_REQUEST));
  }

  async apply(change: PeerChange): Promise<void> {
    if (this.#client.closed) throw new WireguardError("UapiDriver is closed", { code: "closed" });
    const normalized = normalizePeerChange(change);
    if (isEmptyChange(normalized)) return;
    await this.#client.request(encodeSetRequest(normalized));
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
