// The channel's pure rules: which offer is paid with, how big the deposit is, how far a renewal may raise
// the ceiling.
import type { NodeInfo, PaymentKind } from "@wg402/shared";
import { isClientError } from "../errors.ts";
import { choosePaymentKind } from "../node/paymentKind.ts";
import { depositFor } from "./channelScheme.ts";
import { renewalAllowance, renewalCeilingLimit } from "./renewalAllowance.ts";

const kind = (scheme: string): PaymentKind => ({
  scheme,
  network: "eip155:31337",
  asset: `0x${"1".repeat(40)}`,
  symbol: "USDC",
  decimals: 6,
  payTo: `0x${"2".repeat(40)}`,
});
const nodeWith = (...schemes: string[]) => ({ accepts: schemes.map(kind) }) as unknown as NodeInfo;

describe("choosePaymentKind", () => {
  it("prefers the channel when offered, exact otherwise, and obeys --scheme", () => {
    expect(choosePaymentKind(nodeWith("batch-settlement", "exact")).scheme).toBe("batch-settlement");
    expect(choosePaymentKind(nodeWith("exact")).scheme).toBe("exact");
    expect(choosePaymentKind(nodeWith("batch-settlement", "exact"), "exact").scheme).toBe("exact");
    expect(choosePaymentKind(nodeWith("exact", "batch-settlement"), "channel").scheme).toBe("batch-settlement");
  });

  it("refuses --scheme channel on a node without one, with its own code", () => {
    let error: unknown;
    try {
      choosePaymentKind(nodeWith("exact"), "channel");
    } catch (e) {
      error = e;
    }
    expect(isClientError(error)).toBe(true);
    expect(error).toMatchObject({ code: "channel_not_offered" });
  });
});

describe("depositFor", () => {
  it("is the session cap, floored at the node's minimum and at what the voucher needs", () => {
    expect(depositFor({ target: 60_000n, needed: 1_000n, announcedMin: undefined })).toBe(60_000n);
    expect(depositFor({ target: 60_000n, needed: 1_000n, announcedMin: 100_000n })).toBe(100_000n);
    expect(depositFor({ target: 500n, needed: 1_000n, announcedMin: undefined })).toBe(1_000n);
    expect(depositFor({ target: null, needed: 1_000n, announcedMin: undefined })).toBe(1_000n);
  });
});

describe("renewal bounds", () => {
  const node = { pricePerMinute: "1000", secondsPerMinute: 60 };
  it("without a known ceiling: the whole lease's time once renewed, from its creation", () => {
    const createdAt = "2026-01-01T00:00:00Z";
    expect(renewalAllowance({ lease: { createdAt, expiresAt: "2026-01-01T00:05:00Z" }, node, minutes: 5 })).toBe(
      10_001n,
    );
    // Half a minute of the granted time: the renewed lease spans 1.5 minutes, billed as 2.
    expect(renewalAllowance({ lease: { createdAt, expiresAt: "2026-01-01T00:00:30Z" }, node, minutes: 1 })).toBe(
      2_001n,
    );
  });

  it("with the ceiling this client signed last: it may rise by the minutes bought and one unit of rounding", () => {
    expect(renewalCeilingLimit({ lastCeiling: 5_000n, pricePerMinute: 1_000n, minutes: 5 })).toBe(10_001n);
  });
});
