import type { SessionView } from "../../api/views.ts";
import { formatDuration } from "../model/format.ts";

/**
 * The tunnel went quiet (no handshake and nothing received for a while): the core holds renewals, so
 * nothing is paid for a tunnel that carries nothing. It resumes by itself if the node answers again.
 */
export function StalledBanner({ session }: { session: SessionView }) {
  const quietFor = session.link ? Math.round(session.link.staleAfterMs / 1000) : null;
  return (
    <div
      role="alert"
      data-testid="stalled"
      className="mb-4 rounded-xl border border-rose-300 bg-rose-50 p-4 text-rose-950 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-100"
    >
      <p className="text-lg font-bold">Stalled — renewals held</p>
      <p className="text-sm">
        No WireGuard handshake or traffic from the node
        {quietFor === null ? " lately" : ` for more than ${formatDuration(quietFor)}`}. Nothing is paid while it stays
        quiet; renewals resume by themselves once the node answers again, and otherwise the lease runs out.
      </p>
      <p className="mt-1 text-xs">
        {session.driver === "export"
          ? "Check that the WireGuard app has the tunnel switched on."
          : "UDP to the node may be blocked by a firewall, or the network changed."}
      </p>
    </div>
  );
}
