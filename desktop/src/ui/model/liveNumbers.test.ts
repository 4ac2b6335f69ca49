import { liveNumbers } from "./liveNumbers.ts";
import { testSession } from "./testSession.ts";

describe("live numbers", () => {
  const session = testSession({ startedAt: 1_000_000, expiresAt: 1_300_000, nextRenewalAt: 1_290_000 });

  it("counts up from the start and down to the expiry and the next renewal", () => {
    expect(liveNumbers(session, 1_000_000 + 61_500)).toEqual({
      elapsedSeconds: 61,
      secondsLeft: 238,
      nextRenewalInSeconds: 228,
      leaseFraction: 238.5 / 300,
    });
  });

  it("stops the timer when the lease has ended and shows no renewal", () => {
    const ended = testSession({ ...session, phase: "ended", ended: { cause: "spend_cap", at: 1_300_000 } });
    expect(liveNumbers(ended, 1_500_000)).toMatchObject({
      elapsedSeconds: 300,
      secondsLeft: 0,
      nextRenewalInSeconds: null,
    });
  });

  it("never shows negative time or a bar over 100 %", () => {
    expect(liveNumbers(session, 2_000_000)).toMatchObject({
      secondsLeft: 0,
      nextRenewalInSeconds: 0,
      leaseFraction: 0,
    });
    const renewedEarly = testSession({ ...session, expiresAt: 1_000_000 + 590_000 });
    expect(liveNumbers(renewedEarly, 1_000_000).leaseFraction).toBe(1);
  });

  it("is all zeros while still connecting", () => {
    const connecting = testSession({ phase: "connecting", startedAt: null, expiresAt: null, nextRenewalAt: null });
    expect(liveNumbers(connecting, 5)).toEqual({
      elapsedSeconds: 0,
      secondsLeft: 0,
      nextRenewalInSeconds: null,
      leaseFraction: 0,
    });
  });
});
