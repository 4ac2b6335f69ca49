import type { SessionStatus } from "../session/sessionTypes.ts";
import { formatBytes, formatDuration, formatStatusLine } from "./liveLine.ts";

const status = (overrides: Partial<SessionStatus> = {}): SessionStatus => ({
  phase: "connected",
  leaseId: `lease_${"ab".repeat(16)}`,
  nodeUrl: "http://127.0.0.1:4021",
  expiresAt: 0,
  secondsLeft: 252,
  pricePerMinute: 1_000n,
  token: { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", symbol: "tUSD", decimals: 6 },
  spend: { cap: 50_000n, committed: 3_000n, settled: 3_000n, remaining: 47_000n },
  bytesAllowed: null,
  bytesLeft: null,
  dataRate: null,
  bytesUp: 1_234_567,
  bytesDown: 14_800_000,
  renewals: 2,
  blocked: false,
  interfaceName: "wg402-client",
  driver: "wg-quick",
  capSource: "explicit",
  capEndsAt: null,
  nextRenewalAt: null,
  link: null,
  ...overrides,
});

describe("the live status line", () => {
  it("shows time left, spent so far, the price per minute and bytes", () => {
    expect(formatStatusLine(status())).toBe(
      "4m12s left · spent 0.003 of 0.05 tUSD · 0.001 tUSD/min · ↑1.2 MB ↓14.8 MB · renewed 2×",
    );
    expect(
      formatStatusLine(status({ spend: { cap: null, committed: 0n, settled: 0n, remaining: null }, renewals: 0 })),
    ).toBe("4m12s left · spent 0 tUSD · 0.001 tUSD/min · ↑1.2 MB ↓14.8 MB");
    expect(formatStatusLine(status({ blocked: true }))).toMatch(/^BLOCKED \(lease ended\)/);
  });

  it("shows a data lease's bytes left and the rate it renews against", () => {
    const data = status({ bytesAllowed: 50_000_000, bytesLeft: 12_345_678, dataRate: 1_250_000, renewals: 0 });
    expect(formatStatusLine(data)).toBe(
      "4m12s left · 12.3 MB of 50.0 MB left · spent 0.003 of 0.05 tUSD · 0.001 tUSD/min · ↑1.2 MB ↓14.8 MB · 1.3 MB/s",
    );
  });

  it("shows the handshake's age while connected, and a stalled tunnel for what it is", () => {
    const link = {
      state: "connected" as const,
      evidence: "device" as const,
      lastHandshakeAt: 0,
      handshakeAgeMs: 42_000,
      lastReceivedAt: 0,
      rxBytes: 92,
      txBytes: 148,
      staleAfterMs: 180_000,
    };
    expect(formatStatusLine(status({ link }))).toBe(
      "4m12s left · spent 0.003 of 0.05 tUSD · 0.001 tUSD/min · ↑1.2 MB ↓14.8 MB · renewed 2× · handshake 0m42s ago",
    );
    expect(formatStatusLine(status({ phase: "stalled", link: { ...link, handshakeAgeMs: 200_000 } }))).toMatch(
      /^STALLED \(last handshake 3m20s ago, not renewing\) · 4m12s left · /,
    );
  });

  it("formats durations and sizes", () => {
    expect(formatDuration(0)).toBe("0m00s");
    expect(formatDuration(3_725)).toBe("1h02m05s");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_500)).toBe("1.5 KB");
  });
});
