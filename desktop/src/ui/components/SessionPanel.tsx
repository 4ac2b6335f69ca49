import type { SessionView } from "../../api/views.ts";
import { pausedReason } from "../model/connectToggle.ts";
import { formatBytes, formatClock, formatDuration, plural } from "../model/format.ts";
import { liveNumbers } from "../model/liveNumbers.ts";
import { useNow } from "../useNow.ts";
import { ActivityFeed } from "./ActivityFeed.tsx";
import { ChannelMeter } from "./ChannelMeter.tsx";
import { ConnectionOptions } from "./ConnectionOptions.tsx";
import { DataMeter } from "./DataMeter.tsx";
import { Button, Card, Stat } from "./primitives.tsx";
import { StalledBanner } from "./StalledBanner.tsx";

/** The connected screen: timer, time left, money, bytes, next renewal; or the paused state. */
export function SessionPanel({
  session,
  onResume,
  onDisconnect,
  busy,
}: {
  session: SessionView;
  onResume: () => void;
  onDisconnect: () => void;
  busy: boolean;
}) {
  const now = useNow();
  const live = liveNumbers(session, now);
  const paused = session.phase === "ended";
  const connecting = session.phase === "connecting";
  const stalled = session.phase === "connected" && session.link?.state === "stalled";
  return (
    <Card
      title={
        <span>
          {connecting ? "Connecting to " : paused ? "Paused: " : stalled ? "Stalled: " : "Connected to "}
          {session.nodeName} <span className="text-sm font-normal text-slate-500">({session.region})</span>
        </span>
      }
    >
      {paused && session.ended && (
        <div
          role="alert"
          data-testid="paused"
          className="mb-4 rounded-xl border border-amber-400 bg-amber-50 p-4 text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
        >
          <p className="text-lg font-bold">Paused — pay to continue</p>
          <p className="text-sm">{pausedReason(session.ended.cause)}</p>
          <p className="mt-1 text-sm">
            {session.killSwitch
              ? session.blocked
                ? "Traffic stays blocked (kill switch on) until you continue or disconnect."
                : "The kill switch is being engaged."
              : "The node no longer carries your traffic. Whether other traffic is blocked is up to your WireGuard app's kill switch setting."}
          </p>
          <div className="mt-3 flex flex-wrap gap-2">
            <Button tone="warning" onClick={onResume} disabled={busy}>
              Pay to continue
            </Button>
            <Button onClick={onDisconnect} disabled={busy}>
              Disconnect
            </Button>
          </div>
          <p className="mt-2 text-xs">
            Continuing buys a new lease with your current settings; raise the spend cap or add funds first if that is
            what stopped it.
          </p>
        </div>
      )}

      {stalled && <StalledBanner session={session} />}
      {connecting && (
        <p role="status" className="mb-4 text-sm text-indigo-900 dark:text-indigo-200" data-testid="connecting">
          {session.leaseId === null
            ? "Paying for the lease…"
            : session.driver === "export"
              ? "Paid. Import the WireGuard config below into your WireGuard app and switch it on: this is connected once the node sees its first handshake."
              : "Paid. Waiting for the first WireGuard handshake with the node; if none comes, the lease is closed and you are told why."}
        </p>
      )}

      <div className="mb-4 flex flex-col items-center">
        <p id="timer-label" className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
          {connecting ? "Paid for" : "Connected for"}
        </p>
        <time className="text-5xl font-bold tabular-nums" data-testid="session-timer" aria-describedby="timer-label">
          {formatClock(live.elapsedSeconds)}
        </time>
      </div>

      {session.plan !== "time" && <DataMeter session={session} paused={paused} />}
      {/* A data lease's time is only its validity: its bar is the data's. */}
      <div
        hidden={session.plan === "data"}
        className="mb-4 h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        role="progressbar"
        aria-label="Time left on the current lease"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(live.leaseFraction * 100)}
      >
        <div
          className={`h-full ${paused ? "bg-amber-500" : stalled ? "bg-rose-500" : "bg-emerald-500"} transition-all`}
          style={{ width: `${Math.round(live.leaseFraction * 100)}%` }}
        />
      </div>

      {session.scheme === "batch-settlement" && <ChannelMeter session={session} now={now} />}
      <dl className="grid grid-cols-2 gap-2">
        <Stat
          label={session.plan === "data" ? "Valid for" : "Time left on lease"}
          value={formatClock(live.secondsLeft)}
          testId="time-left"
        />
        <Stat
          label="Next renewal"
          value={
            live.nextRenewalInSeconds === null
              ? session.autoRenew
                ? session.plan === "data"
                  ? "before the data runs out"
                  : "—"
                : "auto-renew off"
              : `in ${formatDuration(live.nextRenewalInSeconds)}`
          }
          testId="next-renewal"
        />
        <Stat
          label={session.scheme === "batch-settlement" ? "Signed for (ceiling)" : "Spent this session"}
          value={session.scheme === "batch-settlement" ? session.committed.formatted : session.spent.formatted}
          testId="spent"
        />
        {session.plan === "data" && session.data ? (
          <Stat label="Cost per MB" value={session.data.pricePerMb.formatted} testId="cost-per-mb" />
        ) : (
          <Stat label="Cost per hour" value={session.costPerHour.formatted} testId="cost-per-hour" />
        )}
        <Stat label="Uploaded" value={`↑ ${formatBytes(session.bytesUp)}`} testId="bytes-up" />
        <Stat label="Downloaded" value={`↓ ${formatBytes(session.bytesDown)}`} testId="bytes-down" />
        <Stat label="Renewals" value={plural(session.renewals, "renewal")} testId="renewals" />
        <Stat
          label="Price"
          value={`${session.pricePerMinute.formatted}/min${session.data ? ` · ${session.data.pricePerMb.formatted}/MB` : ""}`}
        />
      </dl>

      <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
        Tunnel address {session.address ?? "…"} · driver {session.driver}
        {session.killSwitch ? " (kill switch)" : " (no kill switch)"}
        {session.secondsPerMinute !== 60 ? ` · a billed minute is ${session.secondsPerMinute} s on this node` : ""}
      </p>
      {session.configPath && (
        <p className="mt-1 break-all text-xs text-slate-500 dark:text-slate-400">
          WireGuard config: <span className="font-mono">{session.configPath}</span>
          {session.driver === "export"
            ? " — import it into the WireGuard app."
            : " (wg-quick brought it up, nothing to import)."}
        </p>
      )}

      <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800">
        <ConnectionOptions session={session} symbol={session.pricePerMinute.symbol} />
      </div>
      <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800">
        <ActivityFeed />
      </div>
    </Card>
  );
}
