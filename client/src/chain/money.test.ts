import { formatTokenAmount, parseTokenAmount } from "./money.ts";
import { SpendBudget } from "./spendBudget.ts";

const token = { symbol: "tUSD", decimals: 6 };

describe("token amounts", () => {
  it.each([
    ["0.05", 50_000n],
    ["1", 1_000_000n],
    ["12.345678", 12_345_678n],
    [" 0.000001 ", 1n],
    ["0", 0n],
  ])("%s tokens → %s base units", (text, units) => {
    expect(parseTokenAmount(text, 6)).toBe(units);
  });

  it.each(["-1", "1e3", "0x10", ".5", "1.", "1,5", "", "0.0000001"])("refuses %j", (text) => {
    expect(() => parseTokenAmount(text, 6, "--max-spend")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
  });

  it("formats base units for people", () => {
    expect(formatTokenAmount(4_000n, token)).toBe("0.004 tUSD");
    expect(formatTokenAmount(1_500_000n, token)).toBe("1.5 tUSD");
  });
});

describe("SpendBudget", () => {
  it("counts what is reserved against the cap, and what settled separately", () => {
    const budget = new SpendBudget({ cap: 3_000n, token });
    budget.reserve(2_000n);
    expect(budget.fits(1_000n)).toBe(true);
    expect(budget.fits(1_001n)).toBe(false);
    expect(() => budget.reserve(1_001n)).toThrow(
      expect.objectContaining({
        code: "spend_cap_exceeded",
        shortMessage: expect.stringMatching(/0.003 tUSD does not cover 0.001001 tUSD more/),
      }),
    );
    budget.markSettled(2_000n);
    expect(budget.snapshot()).toEqual({ cap: 3_000n, committed: 2_000n, settled: 2_000n, remaining: 1_000n });
    const open = new SpendBudget({ token });
    open.reserve(10n ** 30n);
    expect(open.remaining).toBeNull();
  });
});
