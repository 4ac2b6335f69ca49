import {
  formatApprox,
  formatBytes,
  formatClock,
  formatDuration,
  formatLatency,
  formatUnits,
  humanSentence,
  plural,
  shortHex,
} from "./format.ts";

describe("formatters", () => {
  it("shows a running timer as m:ss, then h:mm:ss", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(7.9)).toBe("0:07");
    expect(formatClock(247)).toBe("4:07");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatClock(-5)).toBe("0:00");
  });

  it("says a duration in words, dropping zero parts", () => {
    expect(formatDuration(12)).toBe("12 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(247)).toBe("4 min 7 s");
    expect(formatDuration(7200)).toBe("2 h");
    expect(formatDuration(7500)).toBe("2 h 5 min");
  });

  it("counts bytes in decimal units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_234)).toBe("1.2 KB");
    expect(formatBytes(14_800_000)).toBe("14.8 MB");
    expect(formatBytes(3e12)).toBe("3.0 TB");
  });

  it("shows latency with the precision that matters", () => {
    expect(formatLatency(null)).toBe("—");
    expect(formatLatency(1.234)).toBe("1.2 ms");
    expect(formatLatency(87.6)).toBe("88 ms");
    expect(formatLatency(1500)).toBe("1.5 s");
  });

  it("turns the core's clauses into sentences", () => {
    expect(humanSentence("insufficient balance: this costs 0.005 tUSD")).toBe(
      "Insufficient balance: this costs 0.005 tUSD.",
    );
    expect(humanSentence("Already a sentence.")).toBe("Already a sentence.");
    expect(humanSentence("  ")).toBe("Something went wrong.");
  });

  it("converts base units to whole tokens exactly", () => {
    expect(formatUnits("0", 6)).toBe("0");
    expect(formatUnits("1500", 6)).toBe("0.0015");
    expect(formatUnits("100000000", 6)).toBe("100");
    expect(formatUnits("99990000", 6)).toBe("99.99");
    expect(formatUnits("123456789012345678901", 18)).toBe("123.456789012345678901");
    expect(formatUnits("-5", 2)).toBe("-0.05");
  });

  it("shortens hashes and pluralizes", () => {
    expect(shortHex(`0x${"ab".repeat(32)}`)).toBe("0xabab…abab");
    expect(shortHex("0x1234")).toBe("0x1234");
    expect(plural(1, "minute")).toBe("1 minute");
    expect(plural(2n, "renewal")).toBe("2 renewals");
  });
});

describe("approximate amounts", () => {
  it("keeps four significant decimals and never shows a non-zero amount as zero", () => {
    expect(formatApprox("999838745714062186", 18)).toBe("0.9998");
    expect(formatApprox("1000000000000000000", 18)).toBe("1");
    expect(formatApprox("1234567890000000000", 18)).toBe("1.2345");
    expect(formatApprox("12345678900000", 18)).toBe("0.000012");
    expect(formatApprox("0", 18)).toBe("0");
  });
});
