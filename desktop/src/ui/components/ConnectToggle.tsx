import { type ToggleLook, toggleChecked, toggleLabel } from "../model/connectToggle.ts";

const looks: Record<ToggleLook, string> = {
  off: "bg-slate-200 text-slate-900 ring-slate-300 hover:bg-slate-300 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700",
  connecting:
    "bg-indigo-200 text-indigo-950 ring-indigo-400 animate-pulse motion-reduce:animate-none dark:bg-indigo-900 dark:text-indigo-100",
  on: "bg-emerald-600 text-white ring-emerald-700 hover:bg-emerald-500",
  disconnecting:
    "bg-slate-300 text-slate-900 ring-slate-400 animate-pulse motion-reduce:animate-none dark:bg-slate-700 dark:text-slate-100",
  paused: "bg-amber-500 text-slate-950 ring-amber-600 hover:bg-amber-400",
  stalled: "bg-rose-600 text-white ring-rose-700 hover:bg-rose-500",
  ending: "bg-amber-400 text-slate-950 ring-amber-600 hover:bg-amber-300",
};

const hints: Partial<Record<ToggleLook, string>> = {
  on: "Press to disconnect",
  paused: "Press to disconnect",
  stalled: "No handshake lately: renewals are held. Press to disconnect",
  ending: "The spend cap ends this session soon. Press to disconnect",
};

/** The big Connect switch. While connected, pressing it disconnects. */
export function ConnectToggle({
  kind,
  onPress,
  disabledReason,
  paid = false,
}: {
  kind: ToggleLook;
  onPress: () => void;
  /** Set when connecting is not possible yet (no node, locked wallet); said next to the switch. */
  disabledReason: string | null;
  /** While connecting: whether the lease is paid for already (then only the handshake is awaited). */
  paid?: boolean;
}) {
  const busy = kind === "connecting" || kind === "disconnecting";
  const disabled = busy || (kind === "off" && disabledReason !== null);
  const hint =
    kind === "off"
      ? (disabledReason ?? "Press to pay and connect")
      : kind === "connecting"
        ? paid
          ? "Paid; waiting for the first WireGuard handshake"
          : "Paying, then waiting for the first WireGuard handshake"
        : (hints[kind] ?? "Please wait");
  return (
    <div className="flex flex-col items-center gap-2">
      <button
        type="button"
        role="switch"
        aria-checked={toggleChecked(kind)}
        aria-describedby="connect-hint"
        aria-busy={busy}
        disabled={disabled}
        onClick={onPress}
        data-testid="connect-toggle"
        data-state={kind}
        className={`flex h-32 w-32 flex-col items-center justify-center rounded-full text-lg font-bold shadow-lg ring-4 transition motion-reduce:transition-none disabled:cursor-not-allowed disabled:opacity-60 ${looks[kind]}`}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          className="h-8 w-8"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.2"
          strokeLinecap="round"
        >
          <path d="M12 3v8" />
          <path d="M6.3 6.8a8 8 0 1 0 11.4 0" />
        </svg>
        <span>{toggleLabel(kind)}</span>
      </button>
      <p id="connect-hint" className="text-center text-xs text-slate-500 dark:text-slate-400">
        {hint}
      </p>
    </div>
  );
}
