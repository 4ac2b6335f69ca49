import { addSample, dataNumbers, formatMegabytes, rateFromSamples } from "./dataAllowance.ts";
import { tusd } from "./testSession.ts";

const data = (bytesLeft: number, rate: number | null = null) => ({
  bytesAllowed: 50_000_000,
  bytesLeft,
  rate,
  megabytes: 50,
  renewMegabytes: 50,
  pricePerMb: tusd(20_000),
});

describe("formatMegabytes", () => {
  it("shows tenths of an MB, rounded down, and whole MB without a decimal", () => {
    expect(formatMegabytes(12_345_678)).toBe("12.3 MB");
    expect(formatMegabytes(50_000_000)).toBe("50 MB");
    expect(formatMegabytes(99_999)).toBe("0 MB");
    expect(formatMegabytes(-5)).toBe("0 MB");
  });
});

describe("dataNumbers", () => {
  it("says what is left of the allowance, and its share for the bar", () => {
    const n = dataNumbers(data(12_345_678), null);
    expect(n.text).toBe("12.3 MB of 50 MB left");
    expect(n.fraction).toBeCloseTo(0.2469, 3);
    expect(n.rate).toBeNull();
    expect(n.rateText).toBeNull();
  });

  it("prefers the core's rate, else the one measured here, and says how long the rest lasts at it", () => {
    expect(dataNumbers(data(10_000_000, 1_000_000), 5).rateText).toBe("1.0 MB/s · lasts about 10 s at this rate");
    expect(dataNumbers(data(10_000_000), 500_000).rateText).toBe("500.0 KB/s · lasts about 20 s at this rate");
    expect(dataNumbers(data(10_000_000), 0).rateText).toBe("0 B/s");
  });

  it("never shows more left than was bought", () => {
    expect(dataNumbers(data(60_000_000), null).fraction).toBe(1);
  });
});

describe("rate from successive byte counts", () => {
  it("is the bytes over the time between the first and last readings kept", () => {
    let samples = addSample([], { at: 0, used: 0 });
    expect(rateFromSamples(samples)).toBeNull();
    samples = addSample(samples, { at: 1_000, used: 200_000 });
    samples = addSample(samples, { at: 2_000, used: 600_000 });
    expect(rateFromSamples(samples)).toBe(300_000);
  });

  it("forgets readings older than the window, and starts over when the count goes down", () => {
    let samples = addSample([], { at: 0, used: 0 });
    samples = addSample(samples, { at: 5_000, used: 5_000_000 });
    samples = addSample(samples, { at: 20_000, used: 5_000_000 });
    // The idle stretch since the last reading: one reading just outside the window is kept, so the rate falls.
    expect(rateFromSamples(samples)).toBe(0);
    expect(addSample(samples, { at: 21_000, used: 10 })).toEqual([{ at: 21_000, used: 10 }]);
  });
});
