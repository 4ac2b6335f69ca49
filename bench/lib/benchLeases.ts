import { randomBytes } from "node:crypto";
import { createAgentMetrics, LeaseService, type LeaseServiceParameters, LeaseStore, parseSubnet } from "@wg402/agent";
import { testPayment } from "@wg402/agent/testing";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import type { WireguardDriver } from "@wg402/wireguard";
import { pino } from "pino";

const MINUTE_MS = 1_000;

/**
 * A lease service on the real clock (or `clock`) over an in-memory ledger holding `count` settled leases, as
 * if `count` buyers had paid. `expiresAt(i)` places each lease's deadline (default: an hour out).
 * `megabytes(i)` > 0 makes lease i a data lease with that allowance, settled now (its `expiresAt` is the
 * store's data validity); `publicKey(i)` gives it a key whose private half the caller
 * holds (default: random); `meter` is passed to the service.
 */
export async function createBenchLeases(options: {
  count: number;
  subnet: string;
  driver: WireguardDriver;
  expiresAt?: (i: number) => number;
  clock?: Clock;
  megabytes?: (i: number) => number;
  publicKey?: (i: number) => string;
  meter?: Pick<LeaseServiceParameters, "meterIntervalMs" | "meterMinIntervalMs" | "topMbit">;
}) {
  const clock = options.clock ?? systemClock;
  const store = new LeaseStore({
    path: ":memory:",
    subnet: parseSubnet(options.subnet),
    addressCooldownMs: 0,
    minuteMs: MINUTE_MS,
  });
  const metrics = createAgentMetrics();
  const service = new LeaseService({
    store,
    driver: options.driver,
    clock,
    metrics,
    log: pino({ level: "silent" }),
    serverPublicKey: randomBytes(32).toString("base64"),
    endpoint: "127.0.0.1:51820",
    allowedIps: ["0.0.0.0/0"],
    dns: [],
    keepaliveSeconds: 0,
    graceMs: 0,
    minuteMs: MINUTE_MS,
    ...options.meter,
  });
  const leases: { id: string; publicKey: string; expiresAt: number; address: string }[] = [];
  for (let i = 0; i < options.count; i++) {
    const expiresAt = options.expiresAt?.(i) ?? clock.now() + 3_600_000;
    const megabytes = options.megabytes?.(i) ?? 0;
    // A data lease buys no minutes: its time is the store's data validity.
    const payment = testPayment({ minutes: megabytes > 0 ? 0 : 1, megabytes, pricePerMinute: 1n, pricePerMb: 1n });
    const paymentKey = payment.identity.key;
    // Its paid time starts at settlement: settle a time lease a minute before the wanted expiry, a data lease now.
    const settleAt = megabytes > 0 ? clock.now() : expiresAt - MINUTE_MS;
    const lease = store.createPendingLease({
      id: `lease_${randomBytes(16).toString("hex")}`,
      publicKey: options.publicKey?.(i) ?? randomBytes(32).toString("base64"),
      now: settleAt,
      payment,
    });
    store.settlePayment(paymentKey, { txHash: null, payer: "0x0", now: settleAt });
    const settled = megabytes > 0 ? (store.getLease(lease.id)?.expiresAt ?? expiresAt) : expiresAt;
    leases.push({ id: lease.id, publicKey: lease.publicKey, expiresAt: settled, address: lease.address });
  }
  return { store, service, leases, metrics };
}
