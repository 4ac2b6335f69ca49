import { balanceRunway } from "./lowBalance.ts";

const at = (balance: string, thresholdMinutes = 30) =>
  balanceRunway({ balance, pricePerMinute: "1000", secondsPerMinute: 60, thresholdMinutes });

describe("low-balance warning", () => {
  it("counts whole minutes the balance pays for", () => {
    expect(at("100000000")).toMatchObject({ minutesCovered: 100_000, level: "ok" });
    expect(at("30999")).toMatchObject({ minutesCovered: 30, level: "ok" });
  });

  it("warns strictly below the threshold", () => {
    expect(at("30000").level).toBe("ok");
    expect(at("29999")).toMatchObject({ minutesCovered: 29, level: "low" });
    expect(at("1000")).toMatchObject({ minutesCovered: 1, level: "low" });
  });

  it("is empty when not even one minute is covered, whatever the threshold", () => {
    expect(at("999")).toMatchObject({ minutesCovered: 0, level: "empty" });
    expect(at("0", 0).level).toBe("empty");
  });

  it("a threshold of 0 turns the warning off", () => {
    expect(at("1000", 0).level).toBe("ok");
  });

  it("converts to wall-clock time for nodes with short test minutes", () => {
    const runway = balanceRunway({
      balance: "12000",
      pricePerMinute: "1000",
      secondsPerMinute: 3,
      thresholdMinutes: 50,
    });
    expect(runway).toEqual({ minutesCovered: 12, secondsCovered: 36, level: "low" });
  });

  it("never loses precision on amounts beyond 2^53", () => {
    const runway = balanceRunway({
      balance: "1000000000000000000000000",
      pricePerMinute: "1",
      secondsPerMinute: 60,
      thresholdMinutes: 10,
    });
    expect(runway.level).toBe("ok");
    expect(runway.minutesCovered).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("a free node never warns", () => {
    expect(balanceRunway({ balance: "0", pricePerMinute: "0", secondsPerMinute: 60, thresholdMinutes: 30 }).level).toBe(
      "ok",
    );
  });
});
