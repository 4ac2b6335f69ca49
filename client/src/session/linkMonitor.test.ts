import { LinkMonitor, readingFromNode } from "./linkMonitor.ts";

const T0 = 1_700_000_000_000;

describe("LinkMonitor", () => {
  it("stays connecting until a handshake or received bytes, whatever else the device says", () => {
    const link = new LinkMonitor({ evidence: "device", staleAfterMs: 180_000 });
    expect(link.evaluate(T0)).toBe("connecting");
    link.sample({ lastHandshakeAt: null, rxBytes: 0, txBytes: 1_480 }, T0 + 1_000);
    expect(link.evaluate(T0 + 1_000)).toBe("connecting");
    link.sample(null, T0 + 2_000);
    expect(link.evaluate(T0 + 2_000)).toBe("connecting");
    link.sample({ lastHandshakeAt: T0 + 2_500, rxBytes: 92, txBytes: 1_628 }, T0 + 3_000);
    expect(link.evaluate(T0 + 3_000)).toBe("connected");
    expect(link.status(T0 + 3_000)).toMatchObject({
      state: "connected",
      evidence: "device",
      lastHandshakeAt: T0 + 2_500,
      handshakeAgeMs: 500,
      rxBytes: 92,
    });
  });

  it("goes stalled once the handshake is older than staleAfter with nothing received, and back", () => {
    const link = new LinkMonitor({ evidence: "device", staleAfterMs: 180_000 });
    link.sample({ lastHandshakeAt: T0, rxBytes: 92, txBytes: 148 }, T0);
    expect(link.evaluate(T0)).toBe("connected");
    // Traffic keeps it fresh between handshakes.
    link.sample({ lastHandshakeAt: T0, rxBytes: 5_000, txBytes: 9_000 }, T0 + 170_000);
    expect(link.evaluate(T0 + 200_000)).toBe("connected");
    // Nothing received for more than three minutes, and no new handshake.
    link.sample({ lastHandshakeAt: T0, rxBytes: 5_000, txBytes: 12_000 }, T0 + 351_000);
    expect(link.evaluate(T0 + 351_000)).toBe("stalled");
    link.sample({ lastHandshakeAt: T0 + 360_000, rxBytes: 5_092, txBytes: 12_148 }, T0 + 361_000);
    expect(link.evaluate(T0 + 361_000)).toBe("connected");
  });

  it("reads the node's view: its handshake time, and the bytes it received from this client", () => {
    expect(readingFromNode({ lastHandshakeAt: new Date(T0).toISOString(), bytesUp: 10, bytesDown: 20 })).toEqual({
      lastHandshakeAt: T0,
      rxBytes: 10,
      txBytes: 20,
    });
    expect(readingFromNode({ lastHandshakeAt: null, bytesUp: 0, bytesDown: 0 }).lastHandshakeAt).toBeNull();
  });
});
