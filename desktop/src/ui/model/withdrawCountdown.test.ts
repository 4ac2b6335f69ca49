import type { ChannelView } from "../../api/views.ts";
import { tusd } from "./testSession.ts";
import { withdrawStage } from "./withdrawCountdown.ts";

const AT = 1_700_000_000_000;

function channel(withdrawable: number, withdrawal: ChannelView["withdrawal"] = null, chainAhead = 0): ChannelView {
  return {
    channelId: `0x${"2".repeat(64)}`,
    nodeUrl: "http://127.0.0.1:4021",
    network: "eip155:31337",
    balance: tusd(withdrawable),
    claimed: tusd(0),
    withdrawable: tusd(withdrawable),
    withdrawDelaySeconds: 900,
    withdrawal,
    chainTime: AT + chainAhead,
    readAt: AT,
  };
}

describe("withdrawStage", () => {
  it("offers to start a withdrawal only when the escrow holds something above the claims", () => {
    expect(withdrawStage(channel(5_000), AT)).toEqual({ stage: "idle" });
    expect(withdrawStage(channel(0), AT)).toEqual({ stage: "empty" });
  });

  it("counts down to finalizableAt, rounding up, then is ready", () => {
    const started = channel(5_000, { amount: tusd(5_000), initiatedAt: AT, finalizableAt: AT + 900_000 });
    expect(withdrawStage(started, AT)).toEqual({ stage: "waiting", secondsLeft: 900, finalizableAt: AT + 900_000 });
    expect(withdrawStage(started, AT + 899_001)).toMatchObject({ stage: "waiting", secondsLeft: 1 });
    expect(withdrawStage(started, AT + 900_000)).toEqual({ stage: "ready" });
  });

  it("goes by the chain's clock, which the escrow checks, not the wall clock", () => {
    const w = { amount: tusd(5_000), initiatedAt: AT, finalizableAt: AT + 900_000 };
    // A test chain moved 15 minutes ahead: ready now, by block time.
    expect(withdrawStage(channel(5_000, w, 900_000), AT)).toEqual({ stage: "ready" });
    // A chain 10 s behind the wall clock: 10 s more to wait, and the wall-clock moment says so.
    expect(withdrawStage(channel(5_000, w, -10_000), AT + 900_000)).toEqual({
      stage: "waiting",
      secondsLeft: 10,
      finalizableAt: AT + 910_000,
    });
  });
});
