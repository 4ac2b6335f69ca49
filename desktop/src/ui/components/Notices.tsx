import { useSelect, useStore } from "../storeContext.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";

/** Failures of commands and background work, newest first, until dismissed. */
export function Notices() {
  const store = useStore();
  const notices = useSelect((s) => s.notices);
  const link = useSelect((s) => s.link);
  return (
    <div className="flex flex-col gap-2" aria-live="polite">
      {link === "lost" && (
        <div
          role="status"
          className="rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
        >
          Lost the connection to the wg402 service; reconnecting…
        </div>
      )}
      {notices.map((n) => (
        <ErrorNotice key={n.id} error={n.error} context={n.context} onDismiss={() => store.dismiss(n.id)} />
      ))}
    </div>
  );
}
