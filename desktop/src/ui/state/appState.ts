// Everything the window shows, and how each API event changes it. Pure: the store calls it, tests call it.
import type { WireError } from "@wg402/shared";
import type { LinkState } from "../../api/clientApi.ts";
import type { ApiEvent } from "../../api/events.ts";
import type {
  AppInfo,
  BalancesView,
  ClosedSummary,
  HistoryEntry,
  NodeView,
  SessionSnapshot,
  SettingsView,
  WalletView,
} from "../../api/views.ts";
import { pausedReason } from "../model/connectToggle.ts";
import { formatClock, humanSentence, plural } from "../model/format.ts";
import { describePurchase } from "../model/purchase.ts";

export type ActivityItem = {
  id: number;
  at: number;
  tone: "info" | "good" | "warn" | "bad";
  text: string;
  code?: string;
  txHash?: string | null;
  txUrl?: string | null;
};

export type Notice = { id: number; error: WireError; context: string };

export type AppState = {
  link: LinkState;
  info: AppInfo | null;
  wallet: WalletView | null;
  balances: BalancesView | null;
  nodes: NodeView[] | null;
  settings: SettingsView | null;
  history: HistoryEntry[] | null;
  session: SessionSnapshot;
  /** The session the user last disconnected, summed up on Home until the next one connects. */
  lastClosed: ClosedSummary | null;
  activity: ActivityItem[];
  notices: Notice[];
  nextId: number;
};

export const initialAppState: AppState = {
  link: "connecting",
  info: null,
  wallet: null,
  balances: null,
  nodes: null,
  settings: null,
  history: null,
  session: { revision: -1, session: null },
  lastClosed: null,
  activity: [],
  notices: [],
  nextId: 1,
};

const MAX_ACTIVITY = 50;
const MAX_NOTICES = 5;

/** A newer snapshot replaces the session; an older one (it arrived late) is ignored. */
export function applySnapshot(state: AppState, snapshot: SessionSnapshot): AppState {
  return snapshot.revision >= state.session.revision ? { ...state, session: snapshot } : state;
}

/** A disconnect's summary, from the command's answer or the `closed` event, whichever comes first. */
export function applyClosed(state: AppState, summary: ClosedSummary | null): AppState {
  return summary ? { ...state, lastClosed: summary } : state;
}

export function addNotice(state: AppState, error: WireError, context: string): AppState {
  const notices = [{ id: state.nextId, error, context }, ...state.notices].slice(0, MAX_NOTICES);
  return { ...state, notices, nextId: state.nextId + 1 };
}

export function dismissNotice(state: AppState, id: number): AppState {
  return { ...state, notices: state.notices.filter((n) => n.id !== id) };
}

function log(state: AppState, at: number, item: Omit<ActivityItem, "id" | "at">): AppState {
  // The core repeats some warnings (low balance after a renewal, then again when the next one is refused).
  const newest = state.activity[0];
  if (newest && newest.text === item.text && newest.code === item.code && !item.txHash) {
    return { ...state, activity: [{ ...newest, at }, ...state.activity.slice(1)] };
  }
  const activity = [{ ...item, id: state.nextId, at }, ...state.activity].slice(0, MAX_ACTIVITY);
  return { ...state, activity, nextId: state.nextId + 1 };
}

export function applyEvent(state: AppState, event: ApiEvent, at: number): AppState {
  switch (event.type) {
    case "session":
      return applySnapshot(state, { revision: event.revision, session: event.session });
    case "wallet":
      return { ...state, wallet: event.wallet };
    case "balances":
      return { ...state, balances: event.balances };
    case "nodes":
      return { ...state, nodes: event.nodes };
    case "settings":
      return { ...state, settings: event.settings };
    case "history":
      return { ...state, history: event.entries };
    case "connected":
      return log({ ...state, lastClosed: null }, at, {
        tone: "good",
        text: `Connected: paid ${event.amount.formatted} for ${describePurchase(event)}`,
        txHash: event.txHash,
        txUrl: event.txUrl,
      });
    case "scheduled":
      return state;
    case "renewed":
      return log(state, at, {
        tone: "good",
        text: `Renewed: +${plural(event.minutes, "minute")} for ${event.amount.formatted}`,
        txHash: event.txHash,
        txUrl: event.txUrl,
      });
    case "dataRenewed":
      return log(state, at, {
        tone: "good",
        text: `Renewed: +${event.megabytes} MB for ${event.amount.formatted}`,
        txHash: event.txHash,
        txUrl: event.txUrl,
      });
    case "lowBalance":
      return log(state, at, {
        tone: "warn",
        text:
          event.renewalsLeft === 0
            ? `Your balance of ${event.balance.formatted} does not cover another renewal`
            : `Low balance: ${event.balance.formatted} covers ${plural(event.renewalsLeft, "more renewal")}`,
      });
    case "capReached":
      return log(state, at, {
        tone: "warn",
        text: `Spend cap reached: ${event.committed.formatted}${event.cap ? ` of ${event.cap.formatted}` : ""} spent; the lease runs out at ${new Date(event.expiresAt).toLocaleTimeString()}`,
      });
    case "capEnding":
      return log(state, at, {
        tone: "warn",
        text: `The spend cap${event.cap ? ` of ${event.cap.formatted}` : ""} ends this session in ${formatClock(Math.max(0, (event.capEndsAt - at) / 1000))}`,
      });
    case "stalled":
      return log(state, at, {
        tone: "bad",
        text: "Stalled: no handshake or traffic from the node lately. Renewals are held; nothing is paid meanwhile",
      });
    case "recovered":
      return log(state, at, { tone: "good", text: "The tunnel answers again; renewals resume" });
    case "renewalFailed":
      return log(state, at, {
        tone: "bad",
        text: `Renewal failed (attempt ${event.attempt}): ${humanSentence(event.error.message)}${
          event.retryInMs === null ? "" : ` Retrying in ${Math.ceil(event.retryInMs / 1000)} s.`
        }`,
        code: event.error.error,
      });
    case "expired":
      return log(state, at, { tone: "warn", text: `Lease ended. ${pausedReason(event.cause)}` });
    case "blocked":
      return log(state, at, {
        tone: "info",
        text: `Traffic is blocked (kill switch on ${event.interfaceName}) until you disconnect`,
      });
    case "closed":
      return log(applyClosed(state, event.summary), at, {
        tone: "info",
        text: event.entry
          ? `Disconnected after ${Math.round(event.entry.secondsUsed)} s; ${
              event.entry.channel?.charged && event.entry.channel.refunded
                ? `charged ${event.entry.channel.charged.formatted}, refunded ${event.entry.channel.refunded.formatted}`
                : `paid ${event.entry.totalPaid.formatted}`
            }`
          : "Disconnected",
      });
    case "warning": {
      const logged = log(state, at, { tone: "bad", text: humanSentence(event.error.message), code: event.error.error });
      return addNotice(logged, event.error, "In the background");
    }
  }
}
