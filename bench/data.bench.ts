// Data leases on a real wireguard-go tunnel between two network namespaces: how far past its allowance a lease
// gets before the adaptive data meter cuts it (at the machine's top speed and at 100 Mbit/s, against today's
// 10 s poll), and what the meter costs at 1,000 and 10,000 idle leases against today's poll. Needs root and
// iperf3. Prints JSON; throws if a lease is never cut.
// Run: npm run bench:data   (BENCH_PARTS=overshoot,cost; BENCH_SIZES=1000,10000; BENCH_RUNS=3;
// BENCH_COST_WINDOW_MS=20000; BENCH_COST_INTERVAL_MS=5000)
import { randomBytes, randomInt } from "node:crypto";
import { generateKeyPair, runCommand, UapiDriver } from "@wg402/wireguard";
import {
  createNetnsPair,
  execIn,
  setClientPeer,
  startTestInterface,
  type TestInterface,
  userspaceSkipReason,
} from "@wg402/wireguard/testing";
import { COST_VARIANTS, type CostVariant, meterCost } from "./lib/dataCost.ts";
import { iperfMbps } from "./lib/dataDevice.ts";
import { type OvershootCase, overshootRun, type Tunnel, worstRun } from "./lib/dataOvershoot.ts";

const PARTS = new Set((process.env.BENCH_PARTS ?? "overshoot,cost").split(","));
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COST_WINDOW_MS = Number(process.env.BENCH_COST_WINDOW_MS ?? 20_000);
const COST_INTERVAL_MS = Number(process.env.BENCH_COST_INTERVAL_MS ?? 5_000);
/** Today's meter: the regular poll, which is also the fastest it ever reads. */
const TODAY_INTERVAL_MS = 10_000;
/** Each allowance lasts about this long at its rate, so the meter has readings to close in with. */
const ALLOWANCE_SECONDS = 3;
const SLOW_ALLOWANCE_MB = 40;
const GOALS = { topSpeedMaxOvershootSeconds: 1, at100MbitMaxOvershootBytes: 2_000_000 };

const skip =
  (await userspaceSkipReason({ needWg: true })) ??
  (await runCommand("iperf3", ["--version"]).then(
    () => null,
    () => "iperf3 is not installed (apt-get install iperf3)",
  ));
if (skip) {
  console.log(JSON.stringify({ bench: "data", skipped: skip }));
  process.exit(0);
}

// Two distinct /16s for the two devices in namespace a, clear of the veth's 10.100-249.x.0/24.
const tunnelOctet = randomInt(20, 60);
const costOctet = randomInt(60, 100);
const pair = await createNetnsPair({ prefix: "wgd" });
const interfaces: TestInterface[] = [];
const drivers: UapiDriver[] = [];
const output: Record<string, unknown> = { bench: "data leases (wireguard-go in network namespaces, UAPI driver)" };
try {
  if (PARTS.has("overshoot")) output.overshoot = await overshootPart();
  if (PARTS.has("cost")) output.meterCost = await costPart();
} finally {
  for (const driver of drivers) await driver.close().catch(() => undefined);
  for (const running of interfaces.reverse()) await running.stop().catch(() => undefined);
  await pair.cleanup();
}
console.log(JSON.stringify(output, null, 2));

async function overshootPart() {
  const server = await startTestInterface({ netns: pair.a, address: `10.${tunnelOctet}.0.1/16`, listenPort: 51820 });
  interfaces.push(server);
  const keys = generateKeyPair();
  const clientAddress = `10.${tunnelOctet}.0.2`;
  const client = await startTestInterface({ netns: pair.b, address: `${clientAddress}/16`, listenPort: 51821, keys });
  interfaces.push(client);
  const clientDriver = new UapiDriver({ socketPath: client.process?.socketPath as string });
  drivers.push(clientDriver);
  const serverPeer = {
    publicKey: server.keys.publicKey,
    endpoint: `${pair.addrA}:51820`,
    allowedIps: [`10.${tunnelOctet}.0.0/16`],
  };
  const resetClient = async () => {
    await clientDriver.apply({ upsert: [], remove: [server.keys.publicKey] });
    await setClientPeer(client, serverPeer);
  };
  const socketPath = server.process?.socketPath as string;
  const driver = new UapiDriver({ socketPath });
  const watch = new UapiDriver({ socketPath });
  drivers.push(driver, watch);
  const tunnel: Tunnel = {
    serverNs: pair.a,
    clientNs: pair.b,
    serverAddress: server.address,
    subnet: `10.${tunnelOctet}.0.0/16`,
    clientKey: keys.publicKey,
    clientAddress,
    driver,
    watch,
    resetClient,
  };

  // The machine's top speed through this tunnel, to size an allowance that lasts a few seconds at it.
  await resetClient();
  await driver.apply({ upsert: [{ publicKey: keys.publicKey, allowedIps: [`${clientAddress}/32`] }], remove: [] });
  const iperf = execIn(pair.a, "iperf3", ["-s", "-1", "-B", server.address]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const calibration = await execIn(pair.b, "iperf3", ["-c", server.address, "-t", "3", "-J"], { timeoutMs: 20_000 });
  await iperf.catch(() => undefined);
  await driver.apply({ upsert: [], remove: [keys.publicKey] });
  const topMbps = iperfMbps(JSON.parse(calibration.stdout)) ?? 0;
  if (topMbps < 150) return { skipped: `the tunnel reaches only ${topMbps} Mbit/s here, below the 100 Mbit/s case` };
  const topAllowanceMb = Math.max(100, Math.ceil(((topMbps / 8) * ALLOWANCE_SECONDS) / 10) * 10);
  // The node's uplink as an operator would set it: at least what a tunnel reaches, so the top-rate bound holds.
  const topMbit = Math.max(1_000, Math.ceil((topMbps * 1.25) / 100) * 100);

  const cases: Record<string, OvershootCase & { runs: number }> = {
    topSpeed: {
      allowanceMb: topAllowanceMb,
      meterIntervalMs: TODAY_INTERVAL_MS,
      topMbit,
      iperfSeconds: 40,
      runs: RUNS,
    },
    at100Mbit: {
      allowanceMb: SLOW_ALLOWANCE_MB,
      bandwidth: "100M",
      meterIntervalMs: TODAY_INTERVAL_MS,
      topMbit,
      iperfSeconds: 40,
      runs: RUNS,
    },
  };
  const today = (c: OvershootCase): OvershootCase & { runs: number } => ({
    ...c,
    meterMinIntervalMs: TODAY_INTERVAL_MS,
    iperfSeconds: 25,
    runs: 1,
  });
  cases.todayTopSpeed = today(cases.topSpeed as OvershootCase);
  cases.todayAt100Mbit = today(cases.at100Mbit as OvershootCase);
  const results: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(cases)) {
    const runs = [];
    for (let i = 0; i < c.runs; i++) runs.push(await overshootRun(tunnel, c));
    const worst = worstRun(runs) as (typeof runs)[number];
    const goal = name.endsWith("opSpeed")
      ? { maxOvershootSeconds: GOALS.topSpeedMaxOvershootSeconds, meets: worst.overshootSecondsOfTraffic <= 1 }
      : { maxOvershootBytes: GOALS.at100MbitMaxOvershootBytes, meets: worst.overshootBytes <= 2_000_000 };
    results[name] = {
      meter: name.startsWith("today")
        ? `today: time-only, read every ${TODAY_INTERVAL_MS / 1000} s (meterMinIntervalMs = meterIntervalMs = ${TODAY_INTERVAL_MS})`
        : `adaptive: meterIntervalMs ${c.meterIntervalMs}, meterMinIntervalMs 100 (default)`,
      allowanceMb: c.allowanceMb,
      iperf: c.bandwidth ? `-b ${c.bandwidth}` : "unthrottled",
      goal,
      worst: {
        overshootBytes: worst.overshootBytes,
        overshootSecondsOfTraffic: worst.overshootSecondsOfTraffic,
        rateMbps: worst.rateMbps,
        cutLatencyMs: worst.cutLatencyMs,
      },
      runs,
    };
  }
  return {
    tunnelTopSpeedMbps: topMbps,
    topMbit,
    ...results,
    notes: {
      overshootBytes: "the lease's final meter reading in the ledger (bytesUp + bytesDown) minus bytesAllowed",
      rateMbps: "bytes counted at the server device per second while traffic flowed (the bench's own 200 ms reads)",
      iperfMbps:
        "iperf3's own figure, from its JSON after the bench interrupted it at the cut (null if it printed none)",
      pastAtCrossingReadBytes: "how far past the allowance the meter's first read beyond it already was",
      crossingReadToStopMs: "from that read to the peer's allowed IPs emptied (its traffic stopped)",
      cutLatencyMs: "from that read to the peer removed from the device",
      lastReadGapsMs: "gaps between the meter's last device reads up to that read (closing in on the allowance)",
      topMbit: "the LeaseService's topMbit: 1000, or 1.25 x the measured top speed if the tunnel is faster",
      today:
        "today's runs start the regular poll with the service, so the cut comes at its first poll 10 s in, " +
        "whatever the allowance left of those 10 s passes; with the crossing anywhere in the 10 s that is " +
        "0-10 s of traffic, 5 s on average",
    },
  };
}

async function costPart() {
  const device = await startTestInterface({ netns: pair.a, address: `10.${costOctet}.0.1/16`, listenPort: 51830 });
  interfaces.push(device);
  const driver = new UapiDriver({ socketPath: device.process?.socketPath as string });
  drivers.push(driver);
  const devicePid = device.process?.pid as number;
  const results: Record<string, Record<string, unknown>> = {};
  for (const n of SIZES) {
    const keys = Array.from({ length: n }, () => randomBytes(32).toString("base64"));
    const byVariant: Record<string, Awaited<ReturnType<typeof meterCost>>> = {};
    try {
      for (const variant of Object.keys(COST_VARIANTS) as CostVariant[]) {
        byVariant[variant] = await meterCost({
          driver,
          devicePid,
          keys,
          subnet: `10.${costOctet}.0.0/16`,
          variant,
          windowMs: COST_WINDOW_MS,
          intervalMs: COST_INTERVAL_MS,
          warmupMs: 1_500,
          topMbit: 1_000,
        });
      }
    } finally {
      for (let i = 0; i < keys.length; i += 1000) {
        await driver.apply({ upsert: [], remove: keys.slice(i, i + 1000) }).catch(() => undefined);
      }
    }
    const today = byVariant.today as (typeof byVariant)[string];
    const ratio = (v: number, base: number) => Math.round((v / base) * 100) / 100;
    results[String(n)] = Object.fromEntries(
      Object.entries(byVariant).map(([variant, r]) => [
        variant,
        {
          ...r,
          vsToday: {
            deviceReads: ratio(r.deviceReadsPerMin, today.deviceReadsPerMin),
            agentCpu: ratio(r.agentCpuMsPerMin, today.agentCpuMsPerMin),
          },
        },
      ]),
    );
  }
  const at10k = results["10000"];
  const goalMet = (variant: CostVariant) => {
    const r = at10k?.[variant] as { vsToday: { deviceReads: number; agentCpu: number } } | undefined;
    // CPU within 25% of today's: single windows on this shared 2-core VM vary that much.
    return r === undefined ? null : r.vsToday.deviceReads <= 1 && r.vsToday.agentCpu <= 1.25;
  };
  return {
    windowMs: COST_WINDOW_MS,
    regularPollMs: COST_INTERVAL_MS,
    variants: Object.fromEntries(Object.entries(COST_VARIANTS).map(([k, v]) => [k, v.describe])),
    results,
    goal: {
      statement: "the adaptive meter must not cost more than today's poll at 10,000 idle leases",
      appliesTo: ["adaptiveTimeLeases", "adaptiveDataLarge"],
      meets: { adaptiveTimeLeases: goalMet("adaptiveTimeLeases"), adaptiveDataLarge: goalMet("adaptiveDataLarge") },
      tolerance: "device reads per minute no more than today's; agent CPU within 1.25x of today's (noise)",
      worstCase:
        "adaptiveDataSmall is outside the goal: leases near their allowance are read on the top-rate bound " +
        "(at DataWatch's idle floor; all leases share each read); its cost is reported beside it",
    },
    notes: {
      window: `both meters get the same regular poll (${COST_INTERVAL_MS} ms) in the same ${COST_WINDOW_MS} ms window, after a 1.5 s warm-up`,
      agentCpuMsPerMin: "process.cpuUsage() of the bench process over the window, where only the meter runs",
      meterWallMsPerMin: "wall time inside the regular poll and the data meter's checks (overlaps counted once)",
      wireguardGoCpuMsPerMin: "the device's CPU serving the reads (/proc/<pid>/stat)",
    },
  };
}
