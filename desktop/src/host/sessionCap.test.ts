import { plannedCap, sessionCapChoice } from "./sessionCap.ts";

const node = { pricePerMinute: "1000", secondsPerMinute: 3 };

describe("the session's spend cap from the settings", () => {
  it("is one hour at the node's price unless a figure or 'none' was chosen", () => {
    expect(sessionCapChoice(null)).toBe("default");
    expect(sessionCapChoice("none")).toBe("none");
    expect(sessionCapChoice("0.5")).toEqual({ amount: "0.5", what: "the spend cap" });
    // An hour of 3-second minutes is 1,200 minutes.
    expect(plannedCap(null, node, 5, 6)).toEqual({ cap: 1_200_000n, capSource: "default" });
    expect(plannedCap(null, { pricePerMinute: "1000", secondsPerMinute: 60 }, 5, 6)).toEqual({
      cap: 60_000n,
      capSource: "default",
    });
    expect(plannedCap("none", node, 5, 6)).toEqual({ cap: null, capSource: "none" });
    expect(plannedCap("0.02", node, 5, 6)).toEqual({ cap: 20_000n, capSource: "explicit" });
  });

  it("never falls below the first purchase by default (the cap would refuse it)", () => {
    expect(plannedCap(null, { pricePerMinute: "1000", secondsPerMinute: 60 }, 90, 6).cap).toBe(90_000n);
  });
});
