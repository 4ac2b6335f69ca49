import type { UsageReceipt } from "@wg402/shared";
import { chargeCheck } from "./chargeCheck.ts";

// 100 s of a lease that moved 12,345,678 bytes, on a node at 1,000 per 60-second minute and 20,000 per MB.
const receipt = (charged: string | undefined): UsageReceipt => ({
  leaseId: `lease_${"cd".repeat(16)}`,
  state: "closed",
  payer: null,
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: "2026-01-01T00:01:40.000Z",
  secondsUsed: 100,
  bytesUp: 2_345_678,
  bytesDown: 10_000_000,
  totalPaid: "1000000",
  payments: [],
  ...(charged === undefined ? {} : { channel: { channelId: `0x${"ab".repeat(32)}`, charged, chargedTotal: charged } }),
});
const prices = {
  pricePerMinute: "1000",
  secondsPerMinute: 60,
  data: {
    pricePerMb: "20000",
    minMegabytes: 1,
    maxMegabytes: 1000,
    blockBytes: 100_000,
    validityMinutes: 1440,
    meterMinIntervalMs: 100,
  },
};

describe("a channel's charge against its own receipt", () => {
  it("holds a charge up to the receipt's seconds (and one more) and its bytes to the block", () => {
    // 101 s → 1,684 (rounded up); 12,345,678 B → 124 blocks of 0.1 MB → 248,000.
    const most = 1_684n + 248_000n;
    expect(chargeCheck(receipt(most.toString()), prices)).toEqual({
      charged: most.toString(),
      most: most.toString(),
      ok: true,
    });
    expect(chargeCheck(receipt("0"), prices)?.ok).toBe(true);
  });

  it("flags a charge above what the receipt itself supports", () => {
    const check = chargeCheck(receipt("249685"), prices);
    expect(check).toMatchObject({ most: "249684", ok: false });
  });

  it("has nothing to say of an exact lease or without the node's prices", () => {
    expect(chargeCheck(receipt(undefined), prices)).toBeNull();
    expect(chargeCheck(receipt("5"), {})).toBeNull();
    // A time-only node: the bytes are free, the seconds are the bound.
    expect(chargeCheck(receipt("1685"), { pricePerMinute: "1000", secondsPerMinute: 60 })?.ok).toBe(false);
  });
});
