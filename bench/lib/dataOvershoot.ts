// One data lease cut at its allowance on a real tunnel: how many bytes got through beyond it.
import type { WireguardDriver } from "@wg402/wireguard";
import { execIn } from "@wg402/wireguard/testing";
import { createBenchLeases } from "./benchLeases.ts";
import { iperfMbps, recordingDriver, startIperf } from "./dataDevice.ts";

const MB = 1_000_000;
/** The sanity bound: a lease still on the device this long after its allowance was passed was never cut. */
const NEVER_CUT_MS = 30_000;
const WATCH_EVERY_MS = 200;

export type Tunnel = {
  serverNs: string;
  clientNs: string;
  /** The server's tunnel address, where iperf3 listens. */
  serverAddress: string;
  subnet: string;
  clientKey: string;
  /** The client's tunnel address: the first a fresh ledger hands out, so each run's lease gets it. */
  clientAddress: string;
  /** The agent's driver on the server device. */
  driver: WireguardDriver;
  /** A second control connection for the bench's own watch, so it never queues behind the agent's reads. */
  watch: WireguardDriver;
  /**
   * Drops the client's session: the server forgot it when the last run's peer was removed, and a client still
   * sending on it would not handshake again for 15 s.
   */
  resetClient: () => Promise<void>;
};

export type OvershootCase = {
  allowanceMb: number;
  bandwidth?: string;
  meterIntervalMs: number;
  meterMinIntervalMs?: number;
  topMbit: number;
  iperfSeconds: number;
};

const round = (v: number, digits = 0) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Pings until the tunnel answers, with a short timeout: the first packet of a fresh session is sometimes lost. */
async function tunnelUp(tunnel: Tunnel): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const ok = await execIn(tunnel.clientNs, "ping", ["-n", "-c", "1", "-W", "0.5", tunnel.serverAddress]).then(
      () => true,
      () => false,
    );
    if (ok) return;
  }
  throw new Error(`no answer through the tunnel from ${tunnel.serverAddress}`);
}

/**
 * A data lease for the client's key on a fresh ledger, its service started (so the data meter runs) with the
 * agent's regular poll beside it, iperf3 through the tunnel until the peer is gone. Throws if the allowance was
 * never reached, or if the peer outlived it by {@link NEVER_CUT_MS}.
 */
export async function overshootRun(tunnel: Tunnel, c: OvershootCase) {
  const recorder = recordingDriver(tunnel.driver, tunnel.clientKey);
  const allowed = c.allowanceMb * MB;
  const bench = await createBenchLeases({
    count: 1,
    subnet: tunnel.subnet,
    driver: recorder.driver,
    megabytes: () => c.allowanceMb,
    publicKey: () => tunnel.clientKey,
    meter: { meterIntervalMs: c.meterIntervalMs, meterMinIntervalMs: c.meterMinIntervalMs, topMbit: c.topMbit },
  });
  const lease = bench.leases[0] as (typeof bench.leases)[number];
  let poll: NodeJS.Timeout | undefined;
  let iperf: Awaited<ReturnType<typeof startIperf>> | undefined;
  const samples: { at: number; used: number }[] = [];
  try {
    if (lease.address !== tunnel.clientAddress) {
      throw new Error(`the lease got ${lease.address}, the client tunnel is on ${tunnel.clientAddress}`);
    }
    await tunnel.resetClient();
    await bench.service.start();
    await tunnelUp(tunnel);
    const pollErrors: unknown[] = [];
    // The agent's regular poll (buildAgent's tick); the data meter arms its own timer in between.
    poll = setInterval(
      () => bench.service.peers.pollMeter().catch((e: unknown) => pollErrors.push(e)),
      c.meterIntervalMs,
    );
    iperf = await startIperf({
      serverNs: tunnel.serverNs,
      clientNs: tunnel.clientNs,
      address: tunnel.serverAddress,
      seconds: c.iperfSeconds,
      ...(c.bandwidth ? { bandwidth: c.bandwidth } : {}),
    });
    let crossedAt: number | undefined;
    const reachBy = iperf.startedAt + c.iperfSeconds * 1000 + 5_000;
    for (;;) {
      const peer = (await tunnel.watch.listPeers()).find((p) => p.publicKey === tunnel.clientKey);
      const now = performance.now();
      if (!peer) break;
      const used = peer.rxBytes + peer.txBytes;
      samples.push({ at: now, used });
      if (used >= allowed) crossedAt ??= now;
      if (crossedAt !== undefined && now - crossedAt > NEVER_CUT_MS) {
        throw new Error(
          `NEVER CUT: the lease's peer is still on the device ${NEVER_CUT_MS / 1000} s after passing its ` +
            `${c.allowanceMb} MB allowance (${used} bytes counted)`,
        );
      }
      if (crossedAt === undefined && now > reachBy) {
        throw new Error(
          `the tunnel never reached the ${c.allowanceMb} MB allowance (${used} bytes in ${c.iperfSeconds} s)`,
        );
      }
      if (pollErrors.length > 0) throw pollErrors[0];
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
    }
    const iperfJson = await iperf.stop();
    const final = bench.store.getLease(lease.id);
    if (final?.state !== "expired" || recorder.log.removedAt === undefined) {
      throw new Error(`the peer went, but the lease is ${final?.state} (removal seen: ${recorder.log.removedAt})`);
    }
    const finalBytes = final.bytesUp + final.bytesDown;
    const crossing = recorder.log.reads.find((r) => (r.used ?? 0) >= allowed);
    if (!crossing) throw new Error("cut without any read past the allowance");
    const stoppedAt = recorder.log.stoppedAt ?? recorder.log.removedAt;
    // The rate while traffic flowed freely: the bench's own samples before the cut, past TCP's start.
    const flowing = samples.filter((s) => s.at < stoppedAt && s.used > 0);
    const first = flowing[0];
    const last = flowing.at(-1);
    const bytesPerMs =
      first && last && last.at - first.at > 300
        ? (last.used - first.used) / (last.at - first.at)
        : finalBytes / (stoppedAt - iperf.startedAt);
    const overshoot = finalBytes - allowed;
    const readsBefore = recorder.log.reads.filter((r) => r.at <= crossing.at);
    return {
      allowanceBytes: allowed,
      finalBytes,
      overshootBytes: overshoot,
      overshootSecondsOfTraffic: round(overshoot / bytesPerMs / 1000, 3),
      rateMbps: round((bytesPerMs * 8) / 1000, 1),
      iperfMbps: iperfMbps(iperfJson) ?? null,
      // Bytes already past the allowance when the meter saw it (the read's slack) ...
      pastAtCrossingReadBytes: (crossing.used ?? 0) - allowed,
      // ... and from that read to the peer's traffic stopped and to it removed (the cut's own delay).
      crossingReadToStopMs: round(stoppedAt - crossing.at, 1),
      cutLatencyMs: round(recorder.log.removedAt - crossing.at, 1),
      trafficMs: round(stoppedAt - iperf.startedAt),
      deviceReads: recorder.log.reads.length,
      lastReadGapsMs: readsBefore
        .slice(-6)
        .map((r, i, all) => (i === 0 ? null : round(r.at - (all[i - 1] as { at: number }).at)))
        .slice(1),
    };
  } finally {
    if (poll) clearInterval(poll);
    bench.service.stop();
    await iperf?.stop();
    // A failed run must not leave the client's peer for the next one.
    await tunnel.driver.apply({ upsert: [], remove: [tunnel.clientKey] }).catch(() => undefined);
    bench.store.close();
  }
}

/** The worst of several runs, by overshoot. */
export function worstRun<T extends { overshootBytes: number }>(runs: T[]): T | undefined {
  return runs.reduce<T | undefined>(
    (w, r) => (w === undefined || r.overshootBytes > w.overshootBytes ? r : w),
    undefined,
  );
}
