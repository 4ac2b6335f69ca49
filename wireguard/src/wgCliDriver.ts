import { createSerialQueue } from "@wg402/shared/runtime";
import { assertInterfaceName, assertNetnsName } from "./names.ts";
import { isEmptyChange, normalizePeerChange } from "./normalizePeerChange.ts";
import { runCommand } from "./runCommand.ts";
import { type PeerChange, type PeerStatus, type WireguardDriver, WireguardError } from "./types.ts";
import { buildWgSetArgs, parseWgDump } from "./wgCliProtocol.ts";

export type WgCliDriverOptions = {
  interfaceName: string;
  /** Run every command as `ip netns exec <netns> wg ...`. */
  netns?: string;
  wgPath?: string;
  ipPath?: string;
  timeoutMs?: number;
  /** Bytes of argv per `wg set`; a bigger batch becomes several calls, applied in order. */
  maxArgBytes?: number;
};

/**
 * Drives kernel WireGuard through the `wg` tool (execFile, no shell). It also works against wireguard-go,
 * since `wg` speaks UAPI to a userspace interface. Never `setconf`/`syncconf`: they rewrite every peer.
 */
export class WgCliDriver implements WireguardDriver {
  readonly kind = "wg-cli";
  readonly #options: WgCliDriverOptions;
  readonly #enqueue = createSerialQueue();
  #closed = false;

  constructor(options: WgCliDriverOptions) {
    assertInterfaceName(options.interfaceName);
    if (options.netns !== undefined) assertNetnsName(options.netns);
    this.#options = options;
  }

  listPeers(): Promise<PeerStatus[]> {
    return this.#enqueue(async () => {
      this.#assertOpen();
      const { stdout } = await this.#wg(["show", this.#options.interfaceName, "dump"]);
      try {
        return parseWgDump(stdout);
      } catch (cause) {
        throw new WireguardError(`cannot read \`wg show ${this.#options.interfaceName} dump\``, { code: "io", cause });
      }
    });
  }

  apply(change: PeerChange): Promise<void> {
    return this.#enqueue(async () => {
      this.#assertOpen();
      const normalized = normalizePeerChange(change);
      if (isEmptyChange(normalized)) return;
      // Only a batch too big for one argv is split; each part is applied whole, in order.
      for (const args of buildWgSetArgs(this.#options.interfaceName, normalized, this.#options.maxArgBytes)) {
        await this.#wg(args);
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#enqueue(async () => undefined);
  }

  #assertOpen(): void {
    if (this.#closed) throw new WireguardError("WgCliDriver is closed", { code: "closed" });
  }

  #wg(args: string[]) {
    const { wgPath = "wg", netns, ipPath, timeoutMs } = this.#options;
    return runCommand(wgPath, args, { netns, ipPath, timeoutMs });
  }
}
