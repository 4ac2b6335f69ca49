import type { ToggleEvent, ToggleState } from "./connectToggle.ts";
import {
  initialToggle,
  pressAction,
  reduceToggle,
  toggleChecked,
  toggleKind,
  toggleLabel,
  toggleLook,
} from "./connectToggle.ts";
import { testSession } from "./testSession.ts";

const run = (events: ToggleEvent[], from: ToggleState = initialToggle) => events.reduce(reduceToggle, from);
const failure = { error: "insufficient_balance" as const, message: "insufficient balance" };

describe("connect toggle", () => {
  it("off → connecting → on, following the host's session", () => {
    let state = run([{ type: "press" }]);
    expect(state.pending).toBe("connect");
    expect(toggleKind(state)).toBe("connecting");
    state = run([{ type: "session", session: testSession({ phase: "connecting", startedAt: null }) }], state);
    expect(toggleKind(state)).toBe("connecting");
    state = run([{ type: "session", session: testSession() }, { type: "done" }], state);
    expect(toggleKind(state)).toBe("on");
    expect(toggleChecked(toggleKind(state))).toBe(true);
  });

  it("stays connecting while the payment is in flight, even before the first session event", () => {
    const state = run([{ type: "press" }, { type: "session", session: null }]);
    expect(toggleKind(state)).toBe("connecting");
  });

  it("ignores presses while a request is in flight: a payment cannot be taken back half-way", () => {
    const connecting = run([{ type: "press" }]);
    expect(pressAction(connecting)).toBeNull();
    expect(run([{ type: "press" }], connecting)).toBe(connecting);
    const disconnecting = run([{ type: "session", session: testSession() }, { type: "press" }]);
    expect(disconnecting.pending).toBe("disconnect");
    expect(toggleKind(disconnecting)).toBe("disconnecting");
    expect(run([{ type: "press" }], disconnecting)).toBe(disconnecting);
  });

  it("a failed connect returns to off and keeps the error until the next press", () => {
    let state = run([{ type: "press" }, { type: "session", session: null }, { type: "failed", error: failure }]);
    expect(toggleKind(state)).toBe("off");
    expect(state.error).toEqual(failure);
    state = run([{ type: "press" }], state);
    expect(state.error).toBeNull();
  });

  it("on → disconnecting → off", () => {
    const on = run([{ type: "session", session: testSession() }]);
    expect(pressAction(on)).toBe("disconnect");
    let state = run([{ type: "press" }], on);
    state = run([{ type: "session", session: testSession({ phase: "closing" }) }], state);
    expect(toggleKind(state)).toBe("disconnecting");
    state = run([{ type: "session", session: null }, { type: "done" }], state);
    expect(toggleKind(state)).toBe("off");
    expect(pressAction(state)).toBe("connect");
  });

  it("shows the answer of a disconnect even if the host's event has not arrived yet", () => {
    const state = run([
      { type: "session", session: testSession() },
      { type: "press" },
      { type: "session", session: null },
    ]);
    expect(toggleKind(state)).toBe("off");
  });

  it("an ended lease is paused: pressing disconnects, resume pays again", () => {
    const paused = run([
      { type: "session", session: testSession({ phase: "ended", ended: { cause: "spend_cap", at: 2_000_000 } }) },
    ]);
    expect(toggleKind(paused)).toBe("paused");
    expect(pressAction(paused)).toBe("disconnect");
    const resuming = run([{ type: "resume" }], paused);
    expect(resuming.pending).toBe("resume");
    expect(toggleKind(resuming)).toBe("connecting");
    const reconnected = run([{ type: "session", session: testSession() }, { type: "done" }], resuming);
    expect(toggleKind(reconnected)).toBe("on");
  });

  it("resume is only possible from the paused state", () => {
    const on = run([{ type: "session", session: testSession() }]);
    expect(run([{ type: "resume" }], on)).toBe(on);
    expect(run([{ type: "resume" }])).toBe(initialToggle);
  });

  it("says Stalled or Ending soon instead of Connected, and still disconnects when pressed", () => {
    expect(toggleLook("on", "connected")).toBe("on");
    expect(toggleLabel(toggleLook("on", "stalled"))).toBe("Stalled");
    expect(toggleLabel(toggleLook("on", "ending"))).toBe("Ending soon");
    expect(toggleLook("connecting", "connecting")).toBe("connecting");
    expect(toggleLabel("connecting")).toBe("Connecting…");
    expect(toggleChecked("stalled")).toBe(true);
    expect(toggleChecked("connecting")).toBe(false);
  });
});
