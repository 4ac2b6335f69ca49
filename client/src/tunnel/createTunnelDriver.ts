import { ExportDriver } from "./exportDriver.ts";
import type { TunnelDriver, TunnelDriverKind } from "./types.ts";
import { UserspaceDriver } from "./userspaceDriver.ts";
import { WgQuickDriver } from "./wgQuickDriver.ts";

export type TunnelDriverOptions = {
  tunnelsDir: string;
  netns?: string;
  ignoreDns?: boolean;
  /** export: where to write the config. */
  outputPath?: string;
  qr?: boolean;
  isRoot?: () => boolean;
  /** wg-quick: the PATH its tools are looked up on (the CLI's environment); default the process's. */
  searchPath?: string;
};

export function createTunnelDriver(kind: TunnelDriverKind, options: TunnelDriverOptions): TunnelDriver {
  switch (kind) {
    case "wg-quick":
      return new WgQuickDriver(options);
    case "userspace":
      return new UserspaceDriver(options);
    case "export":
      return new ExportDriver(options);
  }
}
