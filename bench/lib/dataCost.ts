// What metering n idle leases costs over a fixed window: device reads, the agent's CPU and wall time, and
// wireguard-go's CPU serving the reads.
import type { WireguardDriver } from "@wg402/wireguard";
import { createBenchLeases } from "./benchLeases.ts";
import { processCpuMs, recordingDriver } from "./dataDevice.ts";

export type CostVariant = "today" | "adaptiveTimeLeases" | "adaptiveDataLarge" | "adaptiveDataSmall";

export const COST_VARIANTS: Record<CostVariant, { megabytes: number; describe: string }> = {
  today: { megabytes: 0, describe: "time leases, the regular poll only (meterMinIntervalMs = meterIntervalMs)" },
  adaptiveTimeLeases: { megabytes: 0, describe: "adaptive meter, idle time leases" },
  adaptiveDataLarge: { megabytes: 10_000, describe: "adaptive meter, idle data leases with 10 GB left each" },
  adaptiveDataSmall: {
    megabytes: 1,
    describe: "adaptive meter, idle data leases with 1 MB left each (read on the top-rate bound: the worst case)",
  },
};

/** Sums the wall time covered by possibly overlapping [start, end] spans. */
function unionMs(spans: [number, number][]): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

/**
 * n leases with the given keys (already on the device, or put there by the start-up reconcile) metered for
 * `windowMs` after a warm-up, with the regular poll every `intervalMs` (the first half an interval into the
 * window, so exactly windowMs / intervalMs polls fall inside it). Only the meter runs in the window.
 */
export async function meterCost(options: {
  driver: WireguardDriver;
  devicePid: number;
  keys: string[];
  subnet: string;
  variant: CostVariant;
  windowMs: number;
  intervalMs: number;
  warmupMs: number;
  topMbit: number;
}) {
  const { variant, intervalMs } = options;
  const recorder = recordingDriver(options.driver);
  const megabytes = COST_VARIANTS[variant].megabytes;
  const bench = await createBenchLeases({
    count: options.keys.length,
    subnet: options.subnet,
    driver: recorder.driver,
    publicKey: (i) => options.keys[i] as string,
    ...(megabytes > 0 ? { megabytes: () => megabytes } : {}),
    meter: {
      meterIntervalMs: intervalMs,
      topMbit: options.topMbit,
      ...(variant === "today" ? { meterMinIntervalMs: intervalMs } : {}),
    },
  });
  const spans: { kind: "poll" | "check"; span: [number, number] }[] = [];
  const timed = <T>(kind: "poll" | "check", work: () => Promise<T>) => {
    const s = performance.now();
    return work().finally(() => spans.push({ kind, span: [s, performance.now()] }));
  };
  // Every data check is timed, the data meter's own timer's included (it calls check through the instance).
  const data = bench.service.peers.data;
  const check = data.check.bind(data);
  data.check = (all?: boolean) => timed("check", () => check(all));
  const errors: unknown[] = [];
  const pollNow = () => timed("poll", () => bench.service.peers.pollMeter()).catch((e: unknown) => errors.push(e));
  const timers: NodeJS.Timeout[] = [];
  try {
    await bench.service.start();
    if (bench.service.peers.data.watched !== (megabytes > 0 ? options.keys.length : 0)) {
      throw new Error(`the data meter watches ${bench.service.peers.data.watched} leases`);
    }
    // Two polls before the window, so the first variant does not pay for the JIT alone.
    await bench.service.peers.pollMeter();
    await bench.service.peers.pollMeter();
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
    recorder.log.reads.length = 0;
    recorder.log.readMs = 0;
    spans.length = 0;
    const cpu0 = process.cpuUsage();
    const device0 = await processCpuMs(options.devicePid);
    const t0 = performance.now();
    timers.push(
      setTimeout(() => {
        pollNow();
        timers.push(setInterval(pollNow, intervalMs));
      }, intervalMs / 2),
    );
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    for (const timer of timers) clearTimeout(timer);
    const cpu = process.cpuUsage(cpu0);
    const deviceCpu = (await processCpuMs(options.devicePid)) - device0;
    const wallMs = performance.now() - t0;
    // Work started in the window counts whole.
    const inWindow = spans.filter(({ span: [s] }) => s >= t0 && s < t0 + wallMs);
    if (errors.length > 0) throw errors[0];
    const perMinute = (v: number) => Math.round((v / wallMs) * 60_000 * 10) / 10;
    const reads = recorder.log.reads.filter((r) => r.startedAt >= t0 && r.startedAt < t0 + wallMs);
    return {
      leases: options.keys.length,
      windowMs: Math.round(wallMs),
      deviceReads: reads.length,
      deviceReadsPerMin: perMinute(reads.length),
      agentCpuMsPerMin: perMinute((cpu.user + cpu.system) / 1000),
      meterWallMsPerMin: perMinute(unionMs(inWindow.map((s) => s.span))),
      deviceReadWallMsPerMin: perMinute(reads.reduce((sum, r) => sum + (r.at - r.startedAt), 0)),
      wireguardGoCpuMsPerMin: perMinute(deviceCpu),
      regularPolls: inWindow.filter((s) => s.kind === "poll").length,
      // The poll's own check (on the poll's read) is one of these.
      dataChecks: inWindow.filter((s) => s.kind === "check").length,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    bench.service.stop();
    bench.store.close();
  }
}
