import { describePurchase, purchaseInput, purchaseOf } from "./purchase.ts";
import { tusd } from "./testSession.ts";

const data = { pricePerMb: tusd(20_000), minMegabytes: 1, maxMegabytes: 500, validityMinutes: 1440 };
const dataNode = { minMinutes: 1, maxMinutes: 60, data };
const timeNode = { minMinutes: 1, maxMinutes: 60, data: null };
const choice = (plan: "time" | "data" | "hybrid", minutesText = "10", megabytesText = "5") => ({
  plan,
  minutesText,
  megabytesText,
});

describe("purchaseOf", () => {
  it("buys minutes only on a time plan, megabytes only on a data plan, both on a hybrid one", () => {
    expect(purchaseOf(choice("time"), dataNode)).toEqual({ plan: "time", minutes: 10, megabytes: 0, invalid: null });
    expect(purchaseOf(choice("data"), dataNode)).toEqual({ plan: "data", minutes: 0, megabytes: 5, invalid: null });
    expect(purchaseOf(choice("hybrid"), dataNode)).toEqual({
      plan: "hybrid",
      minutes: 10,
      megabytes: 5,
      invalid: null,
    });
  });

  it("falls back to time on a node that sells time only", () => {
    expect(purchaseOf(choice("data"), timeNode)).toMatchObject({ plan: "time", minutes: 10, megabytes: 0 });
  });

  it("says the node's bounds when an amount is outside them", () => {
    expect(purchaseOf(choice("data", "10", "501"), dataNode).invalid).toBe("Choose between 1 and 500 MB");
    expect(purchaseOf(choice("data", "10", "2.5"), dataNode).invalid).toBe("Choose between 1 and 500 MB");
    expect(purchaseOf(choice("hybrid", "61", "5"), dataNode).invalid).toBe("Choose between 1 and 60 minutes");
    // The field the plan does not use is not checked.
    expect(purchaseOf(choice("data", "", "5"), dataNode).invalid).toBeNull();
    expect(purchaseOf(choice("time", "10", ""), dataNode).invalid).toBeNull();
  });
});

describe("describePurchase and purchaseInput", () => {
  it("say what a payment buys, and send only the units bought", () => {
    expect(describePurchase({ minutes: 0, megabytes: 5 })).toBe("5 MB");
    expect(describePurchase({ minutes: 10, megabytes: 50 })).toBe("10 minutes + 50 MB");
    expect(describePurchase({ minutes: 1, megabytes: 0 })).toBe("1 minute");
    expect(purchaseInput({ minutes: 0, megabytes: 5 })).toEqual({ megabytes: 5 });
    expect(purchaseInput({ minutes: 10, megabytes: 0 })).toEqual({ minutes: 10 });
  });
});
