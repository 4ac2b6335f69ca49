import { endGeneration, meterTotals, readMeter } from "./readMeter.ts";

const zero = { carriedUp: 0, carriedDown: 0, seenUp: 0, seenDown: 0 };

it("counts a growing counter once", () => {
  const a = readMeter(zero, { rxBytes: 100, txBytes: 1_000 });
  const b = readMeter(a, { rxBytes: 250, txBytes: 1_500 });
  expect(meterTotals(b)).toEqual({ bytesUp: 250, bytesDown: 1_500 });
});

it("carries the old total forward when a counter drops (a new generation)", () => {
  const before = readMeter(zero, { rxBytes: 900, txBytes: 5_000 });
  const after = readMeter(before, { rxBytes: 40, txBytes: 60 });
  expect(meterTotals(after)).toEqual({ bytesUp: 940, bytesDown: 5_060 });
  const later = readMeter(after, { rxBytes: 100, txBytes: 60 });
  expect(meterTotals(later)).toEqual({ bytesUp: 1_000, bytesDown: 5_060 });
});

it("ends a generation without losing or double counting", () => {
  const state = endGeneration(readMeter(zero, { rxBytes: 10, txBytes: 20 }));
  expect(state).toEqual({ carriedUp: 10, carriedDown: 20, seenUp: 0, seenDown: 0 });
  expect(meterTotals(readMeter(state, { rxBytes: 5, txBytes: 5 }))).toEqual({ bytesUp: 15, bytesDown: 25 });
});
