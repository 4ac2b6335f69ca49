import type { NodeView, RegistryListingView } from "../../api/views.ts";
import { flagEmojiSupported } from "../flagSupport.ts";
import { formatLatency, humanSentence } from "../model/format.ts";
import type { RankedNode } from "../model/nodeRanking.ts";
import { trustBadge } from "../model/nodeTrust.ts";
import { regionLabel } from "../model/region.ts";

const badgeLooks = {
  verified: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200",
  untrusted: "bg-rose-100 text-rose-800 dark:bg-rose-900 dark:text-rose-200",
  unreachable: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  custom: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
} as const;

function TrustBadge({ node }: { node: NodeView }) {
  const badge = trustBadge(node);
  return (
    <span
      className={`rounded-full px-2 py-0.5 text-[11px] font-semibold ${badgeLooks[badge.tone]}`}
      data-testid="node-trust"
      data-trust={node.trust}
    >
      {badge.text}
    </span>
  );
}

/** An untrusted node says so in full: it is listed so people see it, and never paid. */
function UntrustedWarning({ node }: { node: NodeView }) {
  const { reasons } = trustBadge(node);
  if (node.trust !== "untrusted") return null;
  return (
    <span
      className="flex flex-col gap-0.5 rounded-lg bg-rose-50 p-2 text-[11px] text-rose-800 dark:bg-rose-950/50 dark:text-rose-200"
      role="alert"
    >
      <span className="font-semibold">
        This node does not match what its operator registered on-chain. It cannot be chosen and is never paid.
      </span>
      <span data-testid="node-problems">
        {reasons.map((reason) => (
          <span key={reason} className="block">
            {reason}
          </span>
        ))}
      </span>
    </span>
  );
}

const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

function Listing({ registry }: { registry: RegistryListingView }) {
  return (
    <span className="text-[11px] text-slate-500 dark:text-slate-400" data-testid="node-listing">
      Stake {registry.stake.formatted} · operator{" "}
      <span title={registry.operator}>{shortAddress(registry.operator)}</span>
      {registry.status !== "active" ? ` · ${registry.status}` : ""}
    </span>
  );
}

/** One node of the list, as the text of its radio choice. */
export function NodeRow({ node }: { node: RankedNode }) {
  const title = node.registry?.label || (node.reachable ? node.name : node.url);
  if (!node.reachable) {
    return (
      <span className="flex min-w-0 flex-1 flex-col gap-1">
        <span className="flex flex-wrap items-center gap-2">
          <span className="truncate font-semibold">{title}</span>
          {node.registry && (
            <span className="text-xs text-slate-500 dark:text-slate-400">
              {regionLabel(node.registry.countryCode, node.registry.country, flagEmojiSupported())}
            </span>
          )}
          {node.trust !== "custom" && <TrustBadge node={node} />}
        </span>
        {title !== node.url && <span className="truncate text-[11px]">{node.url}</span>}
        <span className="text-xs">{humanSentence(node.error.message)}</span>
        <span className="font-mono text-[11px] opacity-70">code: {node.error.error}</span>
        <UntrustedWarning node={node} />
      </span>
    );
  }
  return (
    <span className="flex min-w-0 flex-1 flex-col gap-1">
      <span className="flex flex-wrap items-center gap-2">
        <span className="font-semibold">{title}</span>
        <span className="text-xs text-slate-500 dark:text-slate-400" title={node.region}>
          {regionLabel(node.region, node.country, flagEmojiSupported())}
        </span>
        <TrustBadge node={node} />
        {node.cheapest && (
          <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-[11px] font-semibold text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200">
            Cheapest
          </span>
        )}
        {node.fastest && (
          <span className="rounded-full bg-sky-100 px-2 py-0.5 text-[11px] font-semibold text-sky-800 dark:bg-sky-900 dark:text-sky-200">
            Fastest
          </span>
        )}
      </span>
      <UntrustedWarning node={node} />
      <span className="grid grid-cols-2 gap-x-3 gap-y-0.5 text-xs text-slate-600 sm:grid-cols-4 dark:text-slate-300">
        <span>
          <span className="font-semibold tabular-nums">{node.pricePerMinute.formatted}</span>/min
        </span>
        <span className="tabular-nums" data-testid="node-price-hour">
          {node.pricePerHour.formatted}/h
        </span>
        {node.data && (
          <span data-testid="node-price-mb">
            <span className="font-semibold tabular-nums">{node.data.pricePerMb.formatted}</span>/MB
          </span>
        )}
        {node.pricePerGb && (
          <span className="tabular-nums" data-testid="node-price-gb">
            {node.pricePerGb.formatted}/GB
          </span>
        )}
        <span className="tabular-nums" data-testid="node-latency">
          {formatLatency(node.latencyMs)}
        </span>
        <span className="tabular-nums">
          {node.capacity.available} of {node.capacity.total} free
        </span>
      </span>
      {node.scheme === "batch-settlement" && (
        <span className="text-[11px] text-slate-600 dark:text-slate-300" data-testid="node-scheme">
          Escrow channel: charged by the second, the rest refunded at disconnect.
        </span>
      )}
      {node.secondsPerMinute !== 60 && (
        <span className="text-[11px] text-amber-700 dark:text-amber-400">
          Test node: a minute lasts {node.secondsPerMinute} s here.
        </span>
      )}
      {node.registry && <Listing registry={node.registry} />}
      <span className="truncate text-[11px] text-slate-400">{node.url}</span>
    </span>
  );
}
