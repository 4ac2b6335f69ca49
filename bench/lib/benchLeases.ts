import { randomBytes } from "node:crypto";
import { createAgentMetrics, LeaseService, LeaseStore, parseSubnet, systemClock } from "@wg402/agent";
import type { WireguardDriver } from "@wg402/wireguard";
import { pino } from "pino";

const MINUTE_MS = 1_000;

/**
 * A lease service on the real clock over an in-memory ledger holding `count` settled leases, as if
 * `count` buyers had paid. `expiresAt(i)` places each lease's deadline (default: an hour out).
 */
export async function createBenchLeases(options: {
  count: number;
  subnet: string;
  driver: WireguardDriver;
  expiresAt?: (i: number) => number;
}) {
  const store = new LeaseStore({
    path: ":memory:",
    subnet: parseSubnet(options.subnet),
    addressCooldownMs: 0,
    minuteMs: MINUTE_MS,
  });
  const service = new LeaseService({
    store,
    driver: options.driver,
    clock: systemClock,
    metrics: createAgentMetrics(),
    log: pino({ level: "silent" }),
    serverPublicKey: randomBytes(32).toString("base64"),
    endpoint: "127.0.0.1:51820",
    allowedIps: ["0.0.0.0/0"],
    dns: [],
    keepaliveSeconds: 0,
    graceMs: 0,
    paymentTimeoutMs: 3_600_000,
    minuteMs: MINUTE_MS,
  });
  const leases: { id: string; publicKey: string; expiresAt: number }[] = [];
  for (let i = 0; i < options.count; i++) {
    const expiresAt = options.expiresAt?.(i) ?? Date.now() + 3_600_000;
    const paymentKey = `bench:${i}:${randomBytes(4).toString("hex")}`;
    const lease = store.createPendingLease({
      id: `lease_${randomBytes(16).toString("hex")}`,
      publicKey: randomBytes(32).toString("base64"),
      minutes: 1,
      now: expiresAt - MINUTE_MS,
      payment: {
        paymentKey,
        scheme: "exact",
        network: "eip155:31337",
        asset: "0x0",
        payer: "0x0",
        amount: "1",
        minutes: 1,
      },
    });
    store.settlePayment(paymentKey, { txHash: null, payer: "0x0", now: Date.now() });
    leases.push({ id: lease.id, publicKey: lease.publicKey, expiresAt });
  }
  return { store, service, leases };
}
