import { randomBytes } from "node:crypto";
import { createAgentMetrics, LeaseService, LeaseStore, parseSubnet } from "@wg402/agent";
import { testPayment } from "@wg402/agent/testing";
import { type Clock, systemClock } from "@wg402/shared/runtime";
import type { WireguardDriver } from "@wg402/wireguard";
import { pino } from "pino";

const MINUTE_MS = 1_000;

/**
 * A lease service on the real clock (or `clock`) over an in-memory ledger holding `count` settled leases, as
 * if `count` buyers had paid. `expiresAt(i)` places each lease's deadline (default: an hour out).
 */
export async function createBenchLeases(options: {
  count: number;
  subnet: string;
  driver: WireguardDriver;
  expiresAt?: (i: number) => number;
  clock?: Clock;
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
  });
  const leases: { id: string; publicKey: string; expiresAt: number }[] = [];
  for (let i = 0; i < options.count; i++) {
    const expiresAt = options.expiresAt?.(i) ?? clock.now() + 3_600_000;
    const payment = testPayment({ minutes: 1, pricePerMinute: 1n });
    const paymentKey = payment.identity.key;
    const lease = store.createPendingLease({
      id: `lease_${randomBytes(16).toString("hex")}`,
      publicKey: randomBytes(32).toString("base64"),
      now: expiresAt - MINUTE_MS,
      payment,
    });
    // Its paid time starts at settlement: settle it a minute before the wanted expiry.
    store.settlePayment(paymentKey, { txHash: null, payer: "0x0", now: expiresAt - MINUTE_MS });
    leases.push({ id: lease.id, publicKey: lease.publicKey, expiresAt });
  }
  return { store, service, leases, metrics };
}
