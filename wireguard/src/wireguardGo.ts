import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, rm, stat } from "node:fs/promises";
import { createConnection } from "node:net";
import { delimiter, isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { assertInterfaceName, assertNetnsName } from "./names.ts";
import { WireguardError } from "./types.ts";
import { uapiSocketPath } from "./uapiClient.ts";

export type StartWireguardGoOptions = {
  /** Interface name; unique across namespaces, since all control sockets share one directory. */
  name: string;
  netns?: string;
  wireguardGoPath?: string;
  ipPath?: string;
  /** wireguard-go's LOG_LEVEL. */
  logLevel?: "silent" | "error" | "verbose";
  readyTimeoutMs?: number;
  /**
   * The kernel SIGKILLs wireguard-go as soon as the process that started it dies, however it dies
   * (`kill -9` included): it runs under util-linux's `setpriv --pdeathsig KILL`, which sets the parent-death
   * signal and execs in place, so the PID is still wireguard-go's. Its TUN, and every peer on it, goes with
   * it. Fails before spawning when setpriv cannot be found. Linux only. The signal is tied to the thread
   * that spawned it: call this from the main thread, not from a worker that may end first.
   */
  dieWithParent?: boolean;
  /** setpriv to use with `dieWithParent`; found on PATH (and the usual bin directories) by default. */
  setprivPath?: string;
};

export type WireguardGoExit = { code: number | null; signal: NodeJS.Signals | null };

export type WireguardGoProcess = {
  readonly name: string;
  readonly netns: string | undefined;
  readonly pid: number;
  readonly socketPath: string;
  /** Resolves when the process is gone, however it ended. */
  readonly exited: Promise<WireguardGoExit>;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
  /** Calls `listener` once when the process exits (at once if it already has); returns an unsubscribe. */
  onExit(listener: (exit: WireguardGoExit) => void): () => void;
  /** SIGTERM by PID, SIGKILL if it lingers, then removes the control socket. Idempotent. */
  stop(): Promise<void>;
};

const OUTPUT_LIMIT = 8192;

/**
 * Starts `wireguard-go -f <name>` (inside `ip netns exec <netns>` when given, under `setpriv --pdeathsig KILL`
 * with `dieWithParent`) and resolves once its control socket accepts connections, which wireguard-go opens
 * only after the TUN device exists.
 */
export async function startWireguardGo(options: StartWireguardGoOptions): Promise<WireguardGoProcess> {
  const { name, netns } = options;
  assertInterfaceName(name);
  if (netns !== undefined) assertNetnsName(netns);
  const socketPath = uapiSocketPath(name);
  // Resolved before anything is touched, so a missing setpriv fails start-up with its package's name.
  const setpriv = options.dieWithParent ? await resolveSetpriv(options.setprivPath) : null;
  if (await canConnect(socketPath)) {
    throw new WireguardError(`${socketPath} is in use: a wireguard-go for ${name} is already running`, { code: "io" });
  }
  // A socket left by a killed wireguard-go would make us report ready before the new one is.
  await rm(socketPath, { force: true });

  const wireguardGo = [options.wireguardGoPath ?? "wireguard-go", "-f", name];
  const argv = [
    ...(netns === undefined ? [] : [options.ipPath ?? "ip", "netns", "exec", netns]),
    ...(setpriv === null ? [] : [setpriv, "--pdeathsig", "KILL"]),
    ...wireguardGo,
  ];
  const [command, ...args] = argv as [string, ...string[]];
  // `ip netns exec` and `setpriv` both exec in place, so the PID is wireguard-go's own and its parent is us.
  const child = spawn(command, args, {
    env: { ...process.env, WG_PROCESS_FOREGROUND: "1", LOG_LEVEL: options.logLevel ?? "error" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a Ctrl-C meant for the agent must not take the device down before the agent
    // has shut down in order. The agent stops it by PID. (The parent-death signal, when asked for, fires
    // only once the agent is gone, so the two do not conflict.)
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  // An object, so TypeScript does not narrow it to null across the awaits below.
  const state: { exit: WireguardGoExit | null } = { exit: null };
  const listeners = new Set<(exit: WireguardGoExit) => void>();
  const exited = new Promise<WireguardGoExit>((resolve) => {
    child.on("error", (error) => {
      collect(Buffer.from(`${error.message}\n`));
      if (child.pid === undefined) finish({ code: null, signal: null });
    });
    // "close", not "exit": by then its last words are in `output`.
    child.once("close", (code, signal) => finish({ code, signal }));
    function finish(result: WireguardGoExit) {
      if (state.exit !== null) return;
      state.exit = result;
      resolve(result);
      for (const listener of listeners) listener(result);
      listeners.clear();
    }
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // A process that already exited may have been replaced under the same name: its socket is not ours.
      const ownsSocket = state.exit === null;
      if (state.exit === null && child.pid !== undefined) {
        signal(child.pid, "SIGTERM");
        const grace = new AbortController();
        const ended = await Promise.race([
          exited.then(() => true),
          sleep(5_000, false, { signal: grace.signal }).catch(() => true),
        ]);
        grace.abort();
        if (!ended) {
          signal(child.pid, "SIGKILL");
          await exited;
        }
      }
      if (ownsSocket) await rm(socketPath, { force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  for (;;) {
    if (state.exit !== null) {
      await stop();
      const why = `exited before it was ready: ${describeExit(state.exit)}`;
      throw new WireguardError(`wireguard-go for ${name} ${why}\n${output}`, { code: "io" });
    }
    if (await canConnect(socketPath)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new WireguardError(`wireguard-go for ${name} opened no control socket in time\n${output}`, { code: "io" });
    }
    await sleep(20);
  }

  const pid = child.pid;
  if (pid === undefined) throw new WireguardError(`wireguard-go for ${name} has no PID`, { code: "io" });
  return {
    name,
    netns,
    pid,
    socketPath,
    exited,
    output: () => output,
    onExit(listener) {
      if (state.exit !== null) {
        listener(state.exit);
        return () => undefined;
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop,
  };
}

/** Debian's util-linux (Essential, so present on every Debian and Ubuntu) ships /usr/bin/setpriv. */
const SETPRIV_PACKAGE = "util-linux";
// Daemons often run with a PATH that lacks the sbin directories.
const FALLBACK_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** An absolute path, so `ip netns exec` runs the very file that was checked whatever its PATH. */
async function resolveSetpriv(given: string | undefined): Promise<string> {
  const candidates =
    given !== undefined && (isAbsolute(given) || given.includes("/"))
      ? [given]
      : [...new Set([...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...FALLBACK_PATH])].map((dir) =>
          join(dir, given ?? "setpriv"),
        );
  for (const candidate of candidates) {
    const found = await stat(candidate).then(
      (info) =>
        info.isFile() &&
        access(candidate, constants.X_OK).then(
          () => true,
          () => false,
        ),
      () => false,
    );
    if (found) return candidate;
  }
  throw new WireguardError(
    `${given ?? "setpriv"} was not found: wireguard-go runs under \`setpriv --pdeathsig KILL\` so that it dies ` +
      `with the process that started it; install it with apt-get install ${SETPRIV_PACKAGE}`,
    { code: "io" },
  );
}

function canConnect(socketPath: string): Promise<boolean> {
  return stat(socketPath).then(
    (info) =>
      info.isSocket() &&
      new Promise<boolean>((resolve) => {
        const probe = createConnection(socketPath);
        probe.once("connect", () => {
          probe.destroy();
          resolve(true);
        });
        probe.once("error", () => resolve(false));
      }),
    () => false,
  );
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function describeExit(exit: WireguardGoExit): string {
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}
