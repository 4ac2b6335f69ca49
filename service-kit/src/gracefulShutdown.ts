import type { Server } from "node:http";

export type ShutdownLogger = { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };

/**
 * Once per process, on SIGINT or SIGTERM: stop accepting connections, let the requests in flight finish
 * (cut after `drainMs`), run `close` (the service's own: ticks, ledgers, devices), then exit 0. A second
 * signal while closing exits at once with 130, for an operator who will not wait.
 */
export function onShutdownSignal(p: {
  server: Server;
  log: ShutdownLogger;
  close: () => Promise<void>;
  drainMs?: number;
  exit?: (code: number) => void;
}): void {
  const exit = p.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) {
      exit(130);
      return;
    }
    closing = true;
    p.log.info({ signal }, "shutting down");
    const closed = new Promise<void>((resolve) => p.server.close(() => resolve()));
    p.server.closeIdleConnections();
    const cut = setTimeout(() => p.server.closeAllConnections(), p.drainMs ?? 30_000);
    try {
      await closed;
      clearTimeout(cut);
      await p.close();
      p.log.info({}, "stopped");
      exit(0);
    } catch (err) {
      p.log.error({ err }, "shutdown failed");
      exit(1);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal));
}
