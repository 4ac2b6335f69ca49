import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelRefund, SessionPlan } from "@wg402/client";
import { ClientError, SessionHistory, sessionRecordFrom } from "@wg402/client";
import { ErrorCode } from "@wg402/shared";
import { type ActiveSession, channelOfLease } from "./activeSession.ts";
import { settlementOf } from "./channelSettlement.ts";

const ID = `0x${"ab".repeat(32)}` as const;
const LEASE = `lease_${"0".repeat(32)}`;

/** Only the fields the channel's bookkeeping reads: the plan's terms, the charge before, the close. */
function active(p: {
  balance: bigint;
  claimed: bigint;
  chargedBefore?: bigint;
  refund?: ChannelRefund | null;
}): ActiveSession {
  const terms = { channelId: ID, balance: p.balance, claimed: p.claimed } as NonNullable<SessionPlan["channel"]>;
  return {
    plan: { channel: terms } as SessionPlan,
    chargedBefore: p.chargedBefore === undefined ? null : Promise.resolve(p.chargedBefore),
    channel: null,
    closed:
      p.refund === undefined
        ? null
        : { leaseId: "l", receipt: null, unusedSeconds: 0, unusedAmount: 0n, refund: p.refund },
  } as unknown as ActiveSession;
}

describe("channelOfLease", () => {
  it("a new channel holds the deposit the first payment made", async () => {
    const channel = await channelOfLease(active({ balance: 0n, claimed: 0n }), {
      deposit: 1_200_000n,
      txHash: "0xdeposit",
      channelId: ID,
    });
    expect(channel).toEqual({
      channelId: ID,
      deposit: 1_200_000n,
      depositMade: 1_200_000n,
      depositTxHash: "0xdeposit",
    });
  });

  it("a reused channel holds what it had above its charge, plus any top-up; a voucher alone has no deposit tx", async () => {
    const reused = active({ balance: 1_500_000n, claimed: 300_000n, chargedBefore: 400_000n });
    const channel = await channelOfLease(reused, { deposit: null, txHash: null });
    expect(channel).toEqual({ channelId: ID, deposit: 1_100_000n, depositMade: null, depositTxHash: null });
  });

  it("is null for a session without channel terms", async () => {
    const exact = { plan: { channel: null }, chargedBefore: null } as unknown as ActiveSession;
    expect(await channelOfLease(exact, { txHash: "0x1" })).toBeNull();
  });
});

describe("settlementOf", () => {
  it("records the deposit, the charge, the refund and its tx", () => {
    const session = active({
      balance: 0n,
      claimed: 0n,
      refund: { ok: true, channelId: ID, charged: 1_035n, refunded: 1_198_965n, txHash: `0x${"cd".repeat(32)}` },
    });
    session.channel = { channelId: ID, deposit: 1_200_000n, depositMade: 1_200_000n, depositTxHash: "0xdep" };
    expect(settlementOf(session)).toEqual({
      channelId: ID,
      deposit: "1200000",
      depositTxHash: "0xdep",
      charged: "1035",
      refunded: "1198965",
      refundTxHash: `0x${"cd".repeat(32)}`,
      refundError: null,
    });
  });

  it("keeps why the refund failed, and says so when the close never got to it", () => {
    const error = new ClientError("the node refused", { code: ErrorCode.channel_refund_failed });
    const failed = settlementOf(active({ balance: 0n, claimed: 0n, refund: { ok: false, error } }));
    expect(failed).toMatchObject({ charged: null, refunded: null, refundError: { error: "channel_refund_failed" } });
    const session = active({ balance: 0n, claimed: 0n, refund: null });
    session.channel = { channelId: ID, deposit: 5n, depositMade: null, depositTxHash: null };
    expect(settlementOf(session)?.refundError?.message).toMatch(/did not get as far as the refund/);
  });
});

describe("a channel session in History", () => {
  it("is kept in the session's own record, through the history file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-history-"));
    try {
      const session = active({ balance: 0n, claimed: 0n, refund: null });
      session.channel = { channelId: ID, deposit: 5n, depositMade: 5n, depositTxHash: "0xdep" };
      const channel = settlementOf(session) ?? undefined;
      const record = sessionRecordFrom(
        {
          leaseId: LEASE,
          nodeUrl: "http://127.0.0.1:1",
          nodeName: "n",
          region: "r",
          network: "eip155:31337",
          token: { symbol: "tUSD", decimals: 6 },
          endCause: "closed",
          channel,
        },
        {
          receipt: {
            leaseId: LEASE,
            state: "closed",
            payer: null,
            startedAt: new Date(0).toISOString(),
            endedAt: new Date(1_000).toISOString(),
            secondsUsed: 1,
            bytesUp: 0,
            bytesDown: 0,
            totalPaid: "0",
            payments: [],
          },
        },
      );
      await new SessionHistory(dir).add(record);
      const [listed] = await new SessionHistory(dir).list();
      expect(listed?.channel).toEqual(channel);
      expect(listed?.channel?.depositTxHash).toBe("0xdep");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
