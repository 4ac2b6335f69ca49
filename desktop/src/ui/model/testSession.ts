// Test-only: a SessionView with plausible numbers, for the view-model tests.
import type { AmountView, SessionView } from "../../api/views.ts";

export const tusd = (amount: number): AmountView => ({
  amount: String(amount),
  decimals: 6,
  symbol: "tUSD",
  formatted: `${amount / 1e6} tUSD`,
});

export function testSession(overrides: Partial<SessionView> = {}): SessionView {
  return {
    phase: "connected",
    leaseId: `lease_${"a".repeat(32)}`,
    nodeUrl: "http://127.0.0.1:4021",
    nodeName: "wg402 node",
    region: "local",
    network: "eip155:31337",
    address: "10.64.0.2",
    driver: "export",
    killSwitch: false,
    blocked: false,
    configPath: "/tmp/wg402-client.conf",
    notes: [],
    startedAt: 1_000_000,
    expiresAt: 1_000_000 + 300_000,
    secondsLeft: 300,
    secondsPerMinute: 60,
    pricePerMinute: tusd(1000),
    costPerHour: tusd(60_000),
    spent: tusd(5000),
    committed: tusd(5000),
    cap: null,
    bytesUp: 0,
    bytesDown: 0,
    renewals: 0,
    autoRenew: true,
    minutes: 5,
    renewMinutes: 5,
    nextRenewalAt: 1_000_000 + 290_000,
    ended: null,
    link: null,
    capEndsAt: null,
    capSource: "explicit",
    scheme: "exact",
    channel: null,
    plan: "time",
    data: null,
    ...overrides,
  };
}
