import type { LinkView } from "../../api/views.ts";
import { linkQuality } from "./linkQuality.ts";

const NOW = 10_000_000;
const link = (overrides: Partial<LinkView>): LinkView => ({
  state: "connected",
  evidence: "device",
  lastHandshakeAt: NOW - 100_000,
  handshakeAgeMs: 100_000,
  lastReceivedAt: NOW - 2_000,
  rxBytes: 1_000,
  txBytes: 1_000,
  staleAfterMs: 180_000,
  ...overrides,
});

describe("link quality", () => {
  it("is good while the node is heard from, whatever the handshake's age", () => {
    expect(linkQuality(link({}), NOW)).toEqual({ level: "good", label: "Good", handshakeAgeSeconds: 100 });
  });

  it("drops to fair, then poor, as the tunnel goes quiet, before the core calls it stalled", () => {
    expect(linkQuality(link({ lastReceivedAt: NOW - 60_000, lastHandshakeAt: NOW - 60_000 }), NOW).level).toBe("fair");
    expect(linkQuality(link({ lastReceivedAt: NOW - 120_000, lastHandshakeAt: null }), NOW).level).toBe("poor");
    expect(linkQuality(link({ state: "stalled" }), NOW)).toMatchObject({ level: "stalled", label: "Stalled" });
  });

  it("waits for the first handshake while connecting", () => {
    expect(linkQuality(link({ state: "connecting", lastHandshakeAt: null, lastReceivedAt: null }), NOW)).toEqual({
      level: "waiting",
      label: "Waiting for the first handshake",
      handshakeAgeSeconds: null,
    });
  });
});
