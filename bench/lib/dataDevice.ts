// Shared by the data bench: a driver that logs what the agent does to the device, iperf3 in namespaces that
// can be stopped at any moment, and wireguard-go's own CPU time.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { PeerChange, PeerStatus, WireguardDriver } from "@wg402/wireguard";

export type DeviceRead = { startedAt: number; at: number; used: number | undefined };

/**
 * Wraps the agent's driver: every full read (the meter's reads are all listPeers) is counted and timed, with
 * the bytes `watched` had in it; the moments its traffic was stopped (no allowed IPs) and its peer removed
 * are noted. Times are performance.now().
 */
export function recordingDriver(inner: WireguardDriver, watched?: string) {
  const log = {
    reads: [] as DeviceRead[],
    readMs: 0,
    stoppedAt: undefined as number | undefined,
    removedAt: undefined as number | undefined,
  };
  const used = (peers: PeerStatus[]) => {
    const peer = watched === undefined ? undefined : peers.find((p) => p.publicKey === watched);
    return peer ? peer.rxBytes + peer.txBytes : undefined;
  };
  const driver: WireguardDriver = {
    kind: inner.kind,
    listPeers: async () => {
      const startedAt = performance.now();
      const peers = await inner.listPeers();
      const at = performance.now();
      log.readMs += at - startedAt;
      log.reads.push({ startedAt, at, used: used(peers) });
      return peers;
    },
    apply: async (change: PeerChange) => {
      await inner.apply(change);
      if (watched === undefined) return;
      const at = performance.now();
      const stopped = change.upsert.some((p) => p.publicKey === watched && p.allowedIps.length === 0);
      if (stopped) log.stoppedAt ??= at;
      if (change.remove.includes(watched)) log.removedAt ??= at;
    },
    close: async () => {},
  };
  return { driver, log };
}

export type Iperf = {
  startedAt: number;
  /** Ends both ends (SIGINT so the client reports, then SIGKILL); the client's JSON if it printed any. */
  stop(): Promise<unknown>;
};

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function endChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!running(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const timer = setTimeout(() => running(child) && child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * iperf3 server in `serverNs` on `address`, client in `clientNs`, for at most `seconds`. `ip netns exec` execs
 * iperf3 itself, so each child's PID is iperf3's and killing it ends nothing else.
 */
export async function startIperf(options: {
  serverNs: string;
  clientNs: string;
  address: string;
  seconds: number;
  bandwidth?: string;
}): Promise<Iperf> {
  const server = spawn("ip", ["netns", "exec", options.serverNs, "iperf3", "-s", "-1", "-B", options.address], {
    stdio: "ignore",
  });
  let client: ChildProcess | undefined;
  let clientOut = "";
  const stop = async () => {
    if (client) await endChild(client, "SIGINT", 2_000);
    await endChild(server, "SIGKILL", 1_000);
    try {
      return JSON.parse(clientOut);
    } catch {
      return undefined;
    }
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!running(server)) throw new Error(`iperf3 server exited (${server.exitCode}) in ${options.serverNs}`);
    const args = ["-c", options.address, "-t", String(options.seconds), "-J", "--connect-timeout", "3000"];
    if (options.bandwidth) args.push("-b", options.bandwidth);
    client = spawn("ip", ["netns", "exec", options.clientNs, "iperf3", ...args], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    client.stdout?.on("data", (chunk: Buffer) => {
      clientOut += chunk.toString();
    });
    return { startedAt: performance.now(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Mbit/s iperf3 measured, from its JSON (sum_sent, or the mean of its intervals when it was interrupted). */
export function iperfMbps(json: unknown): number | undefined {
  const j = json as {
    end?: { sum_sent?: { bits_per_second?: number } };
    intervals?: { sum?: { bits_per_second?: number } }[];
  };
  const end = j?.end?.sum_sent?.bits_per_second;
  if (end) return Math.round(end / 1e5) / 10;
  const intervals = (j?.intervals ?? []).map((i) => i.sum?.bits_per_second ?? 0).filter((v) => v > 0);
  if (intervals.length === 0) return undefined;
  return Math.round(intervals.reduce((a, b) => a + b, 0) / intervals.length / 1e5) / 10;
}

/** CPU ms a process has used (user + system), from /proc. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th, in clock ticks (100/s).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
