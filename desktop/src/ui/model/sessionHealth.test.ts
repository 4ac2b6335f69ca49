import { capCountdown, healthLabel, sessionHealth } from "./sessionHealth.ts";
import { testSession } from "./testSession.ts";

const NOW = 2_000_000;
const link = (state: "connecting" | "connected" | "stalled") => ({
  state,
  evidence: "node" as const,
  lastHandshakeAt: NOW - 5_000,
  handshakeAgeMs: 5_000,
  lastReceivedAt: NOW - 1_000,
  rxBytes: 10,
  txBytes: 10,
  staleAfterMs: 180_000,
});

describe("the cap countdown", () => {
  it("starts the set number of minutes before the cap ends the session, and ticks down to zero", () => {
    const session = testSession({ capEndsAt: NOW + 150_000 });
    expect(capCountdown(session, NOW, 2)).toBeNull();
    expect(capCountdown(session, NOW + 30_000, 2)).toBe(120);
    expect(capCountdown(session, NOW + 30_001, 2)).toBe(120);
    expect(capCountdown(session, NOW + 31_000, 2)).toBe(119);
    expect(capCountdown(session, NOW + 200_000, 2)).toBe(0);
    // A longer warning starts sooner.
    expect(capCountdown(session, NOW, 5)).toBe(150);
  });

  it("is off at 0 minutes, without a cap end, and once the session is not running", () => {
    expect(capCountdown(testSession({ capEndsAt: NOW + 10_000 }), NOW, 0)).toBeNull();
    expect(capCountdown(testSession({ capEndsAt: null }), NOW, 2)).toBeNull();
    expect(capCountdown(testSession({ capEndsAt: NOW + 10_000, phase: "ended" }), NOW, 2)).toBeNull();
    expect(capCountdown(null, NOW, 2)).toBeNull();
  });
});

describe("the session's health", () => {
  it("is connecting until the core says connected, and never 'Protected' while stalled or ending", () => {
    expect(sessionHealth(null, NOW, 2)).toBe("off");
    expect(sessionHealth(testSession({ phase: "connecting", link: link("connecting") }), NOW, 2)).toBe("connecting");
    expect(sessionHealth(testSession({ link: link("connected") }), NOW, 2)).toBe("connected");
    expect(sessionHealth(testSession({ link: link("stalled") }), NOW, 2)).toBe("stalled");
    expect(sessionHealth(testSession({ capEndsAt: NOW + 60_000 }), NOW, 2)).toBe("ending");
    expect(sessionHealth(testSession({ capEndsAt: NOW + 60_000, link: link("stalled") }), NOW, 2)).toBe("stalled");
    expect(sessionHealth(testSession({ phase: "ended" }), NOW, 2)).toBe("paused");
    expect(sessionHealth(testSession({ phase: "closing" }), NOW, 2)).toBe("closing");
  });

  it("is said in the header with the countdown", () => {
    expect(healthLabel("connecting", null)).toBe("Connecting…");
    expect(healthLabel("connected", null)).toBe("Protected");
    expect(healthLabel("stalled", null)).toBe("Stalled");
    expect(healthLabel("ending", 75)).toBe("Ends in 1:15");
  });
});
