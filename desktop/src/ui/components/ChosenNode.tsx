import type { ReachableNodeView, SessionView } from "../../api/views.ts";
import { flagEmojiSupported } from "../flagSupport.ts";
import { formatDuration, formatLatency } from "../model/format.ts";
import { linkQuality } from "../model/linkQuality.ts";
import { regionLabel } from "../model/region.ts";
import { useNow } from "../useNow.ts";

const qualityLooks = {
  waiting: "text-indigo-700 dark:text-indigo-300",
  good: "text-emerald-700 dark:text-emerald-400",
  fair: "text-amber-700 dark:text-amber-400",
  poor: "text-rose-700 dark:text-rose-400",
  stalled: "text-rose-700 dark:text-rose-400",
} as const;

/**
 * The node this connection is (or will be) on, on the connect card itself: where it is and how fast it
 * answered, and while connected how the tunnel is doing (handshake age and quality, from WireGuard's own
 * evidence).
 */
export function ChosenNode({ node, session }: { node: ReachableNodeView | null; session: SessionView | null }) {
  const now = useNow();
  const name = session?.nodeName ?? node?.name;
  if (!name) return null;
  const region = session?.region ?? node?.region ?? "";
  const country = node && (!session || node.url === session.nodeUrl) ? node.country : null;
  const quality = session?.link ? linkQuality(session.link, now) : null;
  return (
    <div className="mt-3 rounded-xl bg-slate-50 p-3 text-sm dark:bg-slate-800/60" data-testid="chosen-node">
      <p className="flex flex-wrap items-baseline justify-between gap-2">
        <span>
          <span className="text-xs text-slate-500 dark:text-slate-400">{session ? "Node " : "Connect to "}</span>
          <span className="font-semibold">{name}</span>
        </span>
        <span className="text-xs text-slate-600 dark:text-slate-300">
          {regionLabel(region, country, flagEmojiSupported())}
        </span>
      </p>
      {node && !session && (
        <p className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
          {node.pricePerMinute.formatted}/min{node.data ? ` · ${node.data.pricePerMb.formatted}/MB` : ""} ·{" "}
          {formatLatency(node.latencyMs)} · {node.capacity.available} of {node.capacity.total} free
        </p>
      )}
      {quality && (
        <p className="text-xs tabular-nums" data-testid="link-quality" data-level={quality.level}>
          <span className={`font-semibold ${qualityLooks[quality.level]}`}>{quality.label}</span>
          <span className="text-slate-500 dark:text-slate-400" data-testid="handshake-age">
            {" · "}
            {quality.handshakeAgeSeconds === null
              ? "no handshake yet"
              : `handshake ${formatDuration(quality.handshakeAgeSeconds)} ago`}
            {session?.link?.evidence === "node" ? " (as the node sees it)" : ""}
          </span>
        </p>
      )}
    </div>
  );
}
