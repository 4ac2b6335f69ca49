// Every error the core reports is shown the same way: its sentence, and the stable code in small print
// (what support and the documentation search for).
import type { WireError } from "@wg402/shared";
import { humanSentence } from "../model/format.ts";

export function ErrorNotice({
  error,
  context,
  onDismiss,
}: {
  error: WireError;
  context?: string;
  onDismiss?: () => void;
}) {
  return (
    <div
      role="alert"
      className="flex items-start justify-between gap-3 rounded-xl border border-rose-300 bg-rose-50 p-3 text-sm text-rose-950 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-100"
    >
      <div className="min-w-0">
        {context && <p className="text-xs font-semibold uppercase tracking-wide opacity-80">{context}</p>}
        <p className="break-words">{humanSentence(error.message)}</p>
        <p className="mt-1 font-mono text-[11px] opacity-70" data-testid="error-code">
          code: {error.error}
        </p>
      </div>
      {onDismiss && (
        <button
          type="button"
          onClick={onDismiss}
          className="shrink-0 rounded-md px-2 py-1 text-xs font-semibold hover:bg-rose-100 dark:hover:bg-rose-900"
          aria-label="Dismiss this message"
        >
          Dismiss
        </button>
      )}
    </div>
  );
}
