import { amountText, channelNumbers, chargeAt } from "./channelCharge.ts";
import { testSession, tusd } from "./testSession.ts";

const START = 1_000_000;
// 1000 base units per 2-second minute: 500 a second.
const channelSession = (overrides: Parameters<typeof testSession>[0] = {}) =>
  testSession({
    scheme: "batch-settlement",
    startedAt: START,
    expiresAt: START + 20_000,
    secondsPerMinute: 2,
    pricePerMinute: tusd(1000),
    channel: {
      channelId: `0x${"1".repeat(64)}`,
      deposit: tusd(1_200_000),
      depositMade: tusd(1_200_000),
      ceiling: tusd(10_000),
    },
    ...overrides,
  });

describe("chargeAt", () => {
  const terms = { startedAt: START, pricePerMinute: 1000n, secondsPerMinute: 2, ceiling: 10_000n };

  it("charges the seconds used at the price, rounded up to the base unit", () => {
    expect(chargeAt(terms, START)).toBe(0n);
    expect(chargeAt(terms, START + 1_000)).toBe(500n);
    expect(chargeAt(terms, START + 3_000)).toBe(1_500n);
    // 1 ms is 0.5 units: rounded up, as the node rounds it.
    expect(chargeAt(terms, START + 1)).toBe(1n);
    expect(chargeAt({ ...terms, pricePerMinute: 7n, secondsPerMinute: 60 }, START + 1_000)).toBe(1n);
  });

  it("never passes the ceiling", () => {
    expect(chargeAt(terms, START + 19_999)).toBe(10_000n);
    expect(chargeAt(terms, START + 3_600_000)).toBe(10_000n);
  });

  it("charges nothing before the lease started", () => {
    expect(chargeAt(terms, START - 5_000)).toBe(0n);
  });
});

describe("channelNumbers", () => {
  it("ticks: a later instant is charged more, and the deposit left falls by as much", () => {
    const session = channelSession();
    const early = channelNumbers(session, START + 2_000);
    const later = channelNumbers(session, START + 5_000);
    expect(early).toMatchObject({ charged: 1_000n, depositLeft: 1_199_000n });
    expect(later).toMatchObject({ charged: 2_500n, depositLeft: 1_197_500n });
  });

  it("stops at the lease's expiry and at the moment it ended", () => {
    expect(channelNumbers(channelSession({ expiresAt: START + 4_000 }), START + 9_000)?.charged).toBe(2_000n);
    const ended = channelSession({ ended: { cause: "not_renewing", at: START + 6_000 } });
    expect(channelNumbers(ended, START + 9_000)?.charged).toBe(3_000n);
  });

  it("is capped by the deposit when the ceiling is above it", () => {
    const small = channelSession({
      channel: { channelId: "0x1", deposit: tusd(1_500), depositMade: null, ceiling: tusd(10_000) },
    });
    expect(channelNumbers(small, START + 10_000)).toMatchObject({ charged: 1_500n, depositLeft: 0n });
  });

  it("has no numbers for an exact session or before the lease exists", () => {
    expect(channelNumbers(testSession(), START + 1_000)).toBeNull();
    expect(channelNumbers(channelSession({ startedAt: null }), START + 1_000)).toBeNull();
  });
});

describe("amountText", () => {
  it("writes base units in whole tokens with the symbol", () => {
    expect(amountText(1_197_500n, tusd(0))).toBe("1.1975 tUSD");
    expect(amountText(0n, tusd(0))).toBe("0 tUSD");
  });
});
