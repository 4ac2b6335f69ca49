import { testSession, tusd } from "../model/testSession.ts";
import { applyEvent, applySnapshot, dismissNotice, initialAppState } from "./appState.ts";

describe("app state", () => {
  it("keeps the newest session snapshot and ignores one that arrives late", () => {
    const connected = applySnapshot(initialAppState, { revision: 5, session: testSession() });
    const stale = applyEvent(
      connected,
      { type: "session", revision: 4, session: testSession({ phase: "connecting" }) },
      0,
    );
    expect(stale.session.session?.phase).toBe("connected");
    const closed = applyEvent(connected, { type: "session", revision: 6, session: null }, 0);
    expect(closed.session).toEqual({ revision: 6, session: null });
  });

  it("logs payments with their tx hash, newest first", () => {
    const txHash = `0x${"1".repeat(64)}`;
    let state = applyEvent(
      initialAppState,
      {
        type: "connected",
        leaseId: "l",
        nodeUrl: "u",
        minutes: 5,
        megabytes: 0,
        amount: tusd(5000),
        txHash,
        txUrl: null,
      },
      1,
    );
    state = applyEvent(
      state,
      {
        type: "renewed",
        leaseId: "l",
        minutes: 5,
        amount: tusd(5000),
        txHash,
        txUrl: "https://x/tx/1",
        expiresAt: 9,
        renewals: 1,
      },
      2,
    );
    expect(state.activity.map((a) => a.text)).toEqual([
      "Renewed: +5 minutes for 0.005 tUSD",
      "Connected: paid 0.005 tUSD for 5 minutes",
    ]);
    expect(state.activity[0]).toMatchObject({ tone: "good", txHash, txUrl: "https://x/tx/1", at: 2 });
  });

  it("a failed renewal keeps its code and says when it retries", () => {
    const state = applyEvent(
      initialAppState,
      {
        type: "renewalFailed",
        leaseId: "l",
        error: { error: "node_unreachable", message: "cannot reach the node" },
        attempt: 2,
        retryInMs: 1500,
      },
      0,
    );
    expect(state.activity[0]).toMatchObject({
      tone: "bad",
      code: "node_unreachable",
      text: "Renewal failed (attempt 2): Cannot reach the node. Retrying in 2 s.",
    });
  });

  it("a background warning is both logged and shown as a notice until dismissed", () => {
    const error = { error: "rpc_unreachable" as const, message: "cannot read balances" };
    const state = applyEvent(initialAppState, { type: "warning", error }, 0);
    expect(state.activity[0]?.code).toBe("rpc_unreachable");
    expect(state.notices).toEqual([{ id: expect.any(Number), error, context: "In the background" }]);
    expect(dismissNotice(state, state.notices[0]?.id ?? -1).notices).toEqual([]);
  });

  it("explains why a lease ended", () => {
    const state = applyEvent(
      initialAppState,
      { type: "expired", leaseId: "l", cause: "insufficient_balance", expiresAt: 0 },
      0,
    );
    expect(state.activity[0]?.text).toBe("Lease ended. Your balance does not cover another renewal.");
  });

  it("replaces whole snapshots of wallet, balances, nodes, settings and history", () => {
    const wallet = { state: "unlocked" as const, address: "0xabc", source: "keystore" as const, keystorePath: "/w" };
    expect(applyEvent(initialAppState, { type: "wallet", wallet }, 0).wallet).toBe(wallet);
    expect(applyEvent(initialAppState, { type: "history", entries: [] }, 0).history).toEqual([]);
  });
});

describe("after a disconnect", () => {
  it("keeps the summary for Home until the next session connects", () => {
    const entry = {
      leaseId: "lease_1",
      nodeUrl: "u",
      nodeName: "n",
      region: "DE",
      country: "Germany",
      network: "eip155:31337",
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:01:00.000Z",
      secondsUsed: 60,
      bytesUp: 0,
      bytesDown: 0,
      totalPaid: tusd(5000),
      payments: [],
      megabytes: 0,
      endCause: "closed" as const,
      channel: null,
      receipt: { status: "none" as const, detail: "", signer: null, bytes: null, kept: 0 },
    };
    const summary = { entry, scheme: "exact" as const, unusedSeconds: 240, unusedAmount: tusd(4000), refund: null };
    const closed = applyEvent(initialAppState, { type: "closed", leaseId: "lease_1", entry, summary }, 1);
    expect(closed.lastClosed).toBe(summary);
    expect(closed.activity[0]?.text).toBe("Disconnected after 60 s; paid 0.005 tUSD");
    const next = applyEvent(
      closed,
      {
        type: "connected",
        leaseId: "l2",
        nodeUrl: "u",
        minutes: 5,
        megabytes: 0,
        amount: tusd(5000),
        txHash: null,
        txUrl: null,
      },
      2,
    );
    expect(next.lastClosed).toBeNull();
  });

  it("says when the tunnel stalls and recovers, and when the cap is about to end the session", () => {
    const link = {
      state: "stalled" as const,
      evidence: "device" as const,
      lastHandshakeAt: null,
      handshakeAgeMs: null,
      lastReceivedAt: null,
      rxBytes: 0,
      txBytes: 0,
      staleAfterMs: 2000,
    };
    let state = applyEvent(initialAppState, { type: "stalled", leaseId: "l", link }, 0);
    state = applyEvent(state, { type: "recovered", leaseId: "l", link: { ...link, state: "connected" } }, 1);
    state = applyEvent(state, { type: "capEnding", leaseId: "l", capEndsAt: 120_000, cap: tusd(20_000) }, 0);
    expect(state.activity.map((a) => a.text)).toEqual([
      "The spend cap of 0.02 tUSD ends this session in 2:00",
      "The tunnel answers again; renewals resume",
      "Stalled: no handshake or traffic from the node lately. Renewals are held; nothing is paid meanwhile",
    ]);
  });
});

describe("activity feed", () => {
  it("folds a repeated warning into one line with the latest time", () => {
    const low = { type: "lowBalance" as const, leaseId: "l", balance: tusd(2000), renewalsLeft: 0 };
    let state = applyEvent(initialAppState, low, 1);
    state = applyEvent(state, low, 2);
    expect(state.activity).toHaveLength(1);
    expect(state.activity[0]?.at).toBe(2);
  });

  it("logs a data lease's first payment and its data renewals in megabytes", () => {
    const txHash = `0x${"2".repeat(64)}`;
    let state = applyEvent(
      initialAppState,
      {
        type: "connected",
        leaseId: "l",
        nodeUrl: "u",
        minutes: 0,
        megabytes: 5,
        amount: tusd(100_000),
        txHash,
        txUrl: null,
      },
      1,
    );
    state = applyEvent(
      state,
      {
        type: "dataRenewed",
        leaseId: "l",
        megabytes: 50,
        amount: tusd(1000),
        txHash,
        txUrl: null,
        bytesAllowed: 55_000_000,
        renewals: 1,
      },
      2,
    );
    expect(state.activity.map((a) => a.text)).toEqual([
      "Renewed: +50 MB for 0.001 tUSD",
      "Connected: paid 0.1 tUSD for 5 MB",
    ]);
    expect(state.activity[0]?.txHash).toBe(txHash);
  });
});
