import { type ToggleKind, toggleChecked, toggleLabel } from "../model/connectToggle.ts";

const looks: Record<ToggleKind, string> = {
  off: "bg-slate-200 text-slate-900 ring-slate-300 hover:bg-slate-300 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700",
  connecting:
    "bg-indigo-200 text-indigo-950 ring-indigo-400 animate-pulse motion-reduce:animate-none dark:bg-indigo-900 dark:text-indigo-100",
  on: "bg-emerald-600 text-white ring-emerald-700 hover:bg-emerald-500",
  disconnecting:
    "bg-slate-300 text-slate-900 ring-slate-400 animate-pulse motion-reduce:animate-none dark:bg-slate-700 dark:text-slate-100",
  paused: "bg-amber-500 text-slate-950 ring-amber-600 hover:bg-amber-400",
};

/** The big Connect switch. While connected, pressing it disconnects. */
export function ConnectToggle({
  kind,
  onPress,
  disabledReason,
}: {
  kind: ToggleKind;
  onPress: () => void;
  /** Set when connecting is not possible yet (no node, locked wallet); said next to the switch. */
  disabledReason: string | null;
}) {
  const busy = kind === "connecting" || kind === "disconnecting";
  const disabled = busy || (kind === "off" && disabledReason !== null);
  const hint =
    kind === "on" || kind === "paused"
      ? "Press to disconnect"
      : kind === "off"
        ? (disabledReason ?? "Press to pay and connect")
        : "Please wait";
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
