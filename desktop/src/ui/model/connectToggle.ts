// The big Connect toggle as a state machine. What it shows follows the host's session (the truth) and the
// request this window has in flight (which the session may not reflect yet); presses while something is in
// flight do nothing, because a payment cannot be taken back half-way.
import type { WireError } from "@wg402/shared";
import type { SessionEndCause, SessionView } from "../../api/views.ts";
import type { SessionHealth } from "./sessionHealth.ts";

export type ToggleKind = "off" | "connecting" | "on" | "disconnecting" | "paused";

/** What the toggle shows: its kind, and while on, whether the tunnel is stalled or the cap is about to end it. */
export type ToggleLook = ToggleKind | "stalled" | "ending";

export type ToggleRequest = "connect" | "disconnect" | "resume";

export type ToggleState = {
  session: SessionView | null;
  pending: ToggleRequest | null;
  /** The last request's failure, shown until the next press. */
  error: WireError | null;
};

export type ToggleEvent =
  | { type: "press" }
  | { type: "resume" }
  | { type: "session"; session: SessionView | null }
  | { type: "done" }
  | { type: "failed"; error: WireError };

export const initialToggle: ToggleState = { session: null, pending: null, error: null };

export function toggleKind(state: ToggleState): ToggleKind {
  const { session, pending } = state;
  if (!session) return pending === "connect" || pending === "resume" ? "connecting" : "off";
  switch (session.phase) {
    case "connecting":
      return "connecting";
    case "closing":
      return "disconnecting";
    case "connected":
      return pending === "disconnect" ? "disconnecting" : "on";
    case "ended":
      if (pending === "disconnect") return "disconnecting";
      return pending === "resume" ? "connecting" : "paused";
  }
}

/** What pressing the toggle asks of the host in this state; null while a request is in flight. */
export function pressAction(state: ToggleState): "connect" | "disconnect" | null {
  if (state.pending) return null;
  switch (toggleKind(state)) {
    case "off":
      return "connect";
    case "on":
    case "paused":
      return "disconnect";
    default:
      return null;
  }
}

export function reduceToggle(state: ToggleState, event: ToggleEvent): ToggleState {
  switch (event.type) {
    case "press": {
      const action = pressAction(state);
      return action ? { ...state, pending: action, error: null } : state;
    }
    case "resume":
      return !state.pending && toggleKind(state) === "paused" ? { ...state, pending: "resume", error: null } : state;
    case "session":
      return { ...state, session: event.session };
    case "done":
      return { ...state, pending: null };
    case "failed":
      return { ...state, pending: null, error: event.error };
  }
}

/** An "on" toggle does not say "Connected" over a silent tunnel or one the cap is about to end. */
export function toggleLook(kind: ToggleKind, health: SessionHealth): ToggleLook {
  if (kind !== "on") return kind;
  return health === "stalled" || health === "ending" ? health : "on";
}

/** Whether the toggle is "checked" for assistive technology (a switch). */
export function toggleChecked(kind: ToggleLook): boolean {
  return kind !== "off" && kind !== "connecting";
}

export function toggleLabel(kind: ToggleLook): string {
  switch (kind) {
    case "stalled":
      return "Stalled";
    case "ending":
      return "Ending soon";
    case "off":
      return "Connect";
    case "connecting":
      return "Connecting…";
    case "on":
      return "Connected";
    case "disconnecting":
      return "Disconnecting…";
    case "paused":
      return "Paused";
  }
}

/** Why the session ended, as the "paused — pay to continue" state explains it. */
export function pausedReason(cause: SessionEndCause): string {
  switch (cause) {
    case "spend_cap":
      return "Your spend cap is reached, so the lease was not renewed.";
    case "insufficient_balance":
      return "Your balance does not cover another renewal.";
    case "renewal_failed":
      return "Renewals kept failing until the lease ran out.";
    case "lease_gone":
      return "The node no longer has this lease.";
    case "not_renewing":
      return "The lease ran out (auto-renew is off).";
    case "disconnected":
      return "The lease was closed from another program (wg402 disconnect).";
    case "stalled":
      return "The tunnel stopped answering (no WireGuard handshake), so the lease was not renewed.";
  }
}
