import type { KnownChannel } from "@wg402/client";
import { channelsOf, escrowTotal } from "./escrowBalance.ts";

const PAYER = "0x1111111111111111111111111111111111111111";
const OTHER = "0x2222222222222222222222222222222222222222";
const TOKEN = "0x3333333333333333333333333333333333333333";

function known(payer: string, overrides: Partial<KnownChannel> = {}, token = TOKEN): KnownChannel {
  return {
    channelId: `0x${String(Math.random()).slice(2).padEnd(64, "0").slice(0, 64)}`,
    nodeUrl: "http://127.0.0.1:4021",
    network: "eip155:31337",
    config: {
      payer,
      payerAuthorizer: payer,
      receiver: OTHER,
      receiverAuthorizer: OTHER,
      token,
      withdrawDelay: 900,
      salt: `0x${"0".repeat(64)}`,
    },
    ...overrides,
  } as KnownChannel;
}

describe("escrowTotal", () => {
  it("sums each channel's balance above its claims", () => {
    const states = [
      { balance: 1_200_000n, claimed: 0n, withdrawal: null },
      { balance: 500n, claimed: 200n, withdrawal: null },
    ];
    expect(escrowTotal(states)).toBe(1_200_300n);
  });

  it("counts a fully claimed channel as nothing, never as a debt", () => {
    expect(escrowTotal([{ balance: 100n, claimed: 100n, withdrawal: null }])).toBe(0n);
    expect(escrowTotal([{ balance: 100n, claimed: 150n, withdrawal: null }])).toBe(0n);
    expect(escrowTotal([])).toBe(0n);
  });
});

describe("channelsOf", () => {
  it("keeps this wallet's channels on this chain and token, whatever the address's case", () => {
    const mine = known(PAYER.toUpperCase().replace("0X", "0x"));
    const theirs = known(OTHER);
    const elsewhere = known(PAYER, { network: "eip155:8453" });
    const otherToken = known(PAYER, {}, OTHER);
    const kept = channelsOf([mine, theirs, elsewhere, otherToken], { network: "eip155:31337", token: TOKEN }, PAYER);
    expect(kept).toEqual([mine]);
  });
});
