import { setTimeout as sleep } from "node:timers/promises";
import { createBackoff } from "@wg402/shared/runtime";
import type { WireguardGoExit, WireguardGoProcess } from "@wg402/wireguard";
import type { DeviceLogger } from "./types.ts";

export type SuperviseWireguardGoOptions = {
  name: string;
  /** Frees the name, starts wireguard-go and configures it; leaves nothing running when it throws. */
  launch: () => Promise<WireguardGoProcess>;
  logger: DeviceLogger;
  backoff: { initial: number; max: number };
};

export type WireguardGoSupervisor = {
  /** The PID of the wireguard-go running now. */
  readonly pid: number;
  onRecreated(listener: () => void): () => void;
  /** Ends supervision (a restart in progress included) and stops wireguard-go. Idempotent. */
  stop(): Promise<void>;
};

/**
 * Launches wireguard-go and keeps it running: when it exits on its own (killed, crashed, its link
 * deleted), it is launched again after a backoff that doubles per failed attempt and resets once a
 * process has stayed up for `backoff.max`. Listeners run after each successful relaunch.
 * The first launch is not retried: a device that cannot start at all should fail start-up loudly.
 */
export async function superviseWireguardGo(options: SuperviseWireguardGoOptions): Promise<WireguardGoSupervisor> {
  const { name, launch, logger } = options;
  const backoff = createBackoff(options.backoff);
  const listeners = new Set<() => void>();
  const stopping = new AbortController();
  const stopped = new Promise<"stopped">((resolve) =>
    stopping.signal.addEventListener("abort", () => resolve("stopped"), { once: true }),
  );
  let current = await launch();

  // One loop, so two restarts can never overlap.
  const loop = (async () => {
    for (;;) {
      const startedAt = Date.now();
      const exit: WireguardGoExit | "stopped" = await Promise.race([current.exited, stopped]);
      if (exit === "stopped") return;
      const uptimeMs = Date.now() - startedAt;
      if (uptimeMs >= options.backoff.max) backoff.reset();
      logger.error(
        { interface: name, pid: current.pid, exit, uptimeMs, output: current.output().trim() || undefined },
        "wireguard-go exited unexpectedly; restarting it",
      );
      for (let attempt = 1; ; attempt++) {
        try {
          await sleep(backoff.next(), undefined, { signal: stopping.signal });
        } catch {
          return;
        }
        try {
          current = await launch();
          break;
        } catch (err) {
          if (stopping.signal.aborted) return;
          logger.error({ err, interface: name, attempt }, "restarting wireguard-go failed; will retry");
        }
      }
      // stop() stops `current`, the new process included.
      if (stopping.signal.aborted) return;
      logger.warn({ interface: name, pid: current.pid }, "wireguard-go restarted; every peer must be re-applied");
      for (const listener of [...listeners]) notify(listener);
    }
  })().catch((err: unknown) => logger.error({ err, interface: name }, "wireguard-go supervision failed"));

  function notify(listener: () => void): void {
    try {
      const result: unknown = listener();
      if (result instanceof Promise) {
        result.catch((err: unknown) => logger.error({ err, interface: name }, "an onRecreated listener failed"));
      }
    } catch (err) {
      logger.error({ err, interface: name }, "an onRecreated listener failed");
    }
  }

  let stopPromise: Promise<void> | null = null;
  return {
    get pid() {
      return current.pid;
    },
    onRecreated(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    stop() {
      stopPromise ??= (async () => {
        stopping.abort();
        await loop;
        listeners.clear();
        await current.stop();
      })();
      return stopPromise;
    },
  };
}
