import { rm } from "node:fs/promises";
import { join } from "node:path";
import QRCode from "qrcode";
import { writeSecretFile } from "../files/secretFile.ts";
import type { PeerReading, TunnelDriver, TunnelHandle, TunnelUp, TunnelUpRequest } from "./types.ts";

export type ExportDriverOptions = {
  tunnelsDir: string;
  /** Write here instead of `<tunnelsDir>/<interface>.conf`. */
  outputPath?: string;
  /** Render a terminal QR code of the config (on by default). */
  qr?: boolean;
};

/**
 * Writes the config for the official WireGuard apps (0600) and a terminal QR code for the mobile ones.
 * Needs no root and touches no interface, so it has no kill switch: the app's own settings decide what
 * happens when the lease ends ("Block untunneled traffic", Android's "Block connections without VPN").
 */
export class ExportDriver implements TunnelDriver {
  readonly kind = "export" as const;
  readonly killSwitch = false;
  /** The tunnel runs in another app: only the node can tell whether it handshakes. */
  readonly evidence = "node" as const;
  private readonly options: ExportDriverOptions;

  constructor(options: ExportDriverOptions) {
    this.options = options;
  }

  async precheck(): Promise<void> {}

  async up(request: TunnelUpRequest): Promise<TunnelUp> {
    const configPath = this.options.outputPath ?? join(this.options.tunnelsDir, `${request.interfaceName}.conf`);
    await writeSecretFile(configPath, request.configText);
    const handle: TunnelHandle = {
      driver: "export",
      interfaceName: request.interfaceName,
      netns: null,
      configPath,
      serverPublicKey: request.config.peers[0]?.publicKey ?? "",
      routes: [],
      blockRoutes: [],
      routingTable: null,
      blocked: false,
    };
    const qr =
      this.options.qr === false
        ? undefined
        : await QRCode.toString(request.configText, { type: "terminal", small: true, errorCorrectionLevel: "L" });
    return {
      handle,
      notes: [
        `wrote ${configPath} (0600): import it into the WireGuard app${qr === undefined ? "" : ", or scan the QR code"}`,
      ],
      ...(qr === undefined ? {} : { qr }),
    };
  }

  async block(handle: TunnelHandle): Promise<TunnelHandle> {
    return handle;
  }

  async readPeer(): Promise<PeerReading | null> {
    return null;
  }

  /** The config's key is useless once the lease is closed; it is not left lying around. */
  async down(handle: TunnelHandle): Promise<void> {
    if (handle.configPath) await rm(handle.configPath, { force: true });
  }
}
