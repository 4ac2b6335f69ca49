import { useEffect, useState } from "react";
import type { LeasePlanView, SessionView } from "../../api/views.ts";
import { formatUnits, plural } from "../model/format.ts";
import { useSelect } from "../storeContext.ts";
import { useSaveSettings } from "../useSaveSettings.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";
import { Button, Switch, TextField } from "./primitives.tsx";

/** The cap field's text: a figure, or empty for the default ("none" is set and shown in Settings). */
const figure = (value: string | null | undefined) =>
  value === null || value === undefined || value === "none" ? "" : value;

/** What auto-renew buys on each plan: a data renewal buys what the first purchase bought. */
function renewHint(plan: LeasePlanView, renewMinutes: number): string {
  const time = `${plural(renewMinutes, "more minute")} shortly before the lease runs out`;
  const data = "as many MB again before the data runs out";
  return `Buys ${plan === "time" ? time : plan === "data" ? data : `${time}, and ${data}`}`;
}

/**
 * Auto-renew and the spend cap, saved in the settings. The core fixes both when a session starts, so while
 * connected a change is said to apply from the next connection rather than pretending otherwise. An empty
 * cap is the default (one hour at the node's price); "no cap" is chosen in Settings only, on purpose.
 */
export function ConnectionOptions({ session, symbol }: { session: SessionView | null; symbol: string | null }) {
  const settings = useSelect((s) => s.settings);
  const [cap, setCap] = useState(figure(settings?.spendCap));
  const { save, error, saved } = useSaveSettings();
  useEffect(() => setCap(figure(settings?.spendCap)), [settings?.spendCap]);
  if (!settings) return null;

  const capText = cap.trim();
  const noCap = settings.spendCap === "none";
  const capChanged = (capText === "" ? null : capText) !== (noCap ? null : settings.spendCap);
  const sessionCap = session?.cap ? formatUnits(session.cap.amount, session.cap.decimals) : null;
  const capDiffers =
    session !== null &&
    (settings.spendCap === null
      ? session.capSource !== "default"
      : noCap
        ? session.cap !== null
        : sessionCap === null || Number(sessionCap) !== Number(settings.spendCap));
  const differs = session !== null && (session.autoRenew !== settings.autoRenew || capDiffers);

  return (
    <div className="flex flex-col gap-3">
      <Switch
        label="Auto-renew"
        hint={renewHint(settings.plan, settings.renewMinutes)}
        checked={settings.autoRenew}
        onChange={(autoRenew) => void save({ autoRenew })}
      />
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ spendCap: capText === "" ? null : capText });
        }}
      >
        <div className="min-w-0 flex-1">
          <TextField
            label="Spend cap per session"
            inputMode="decimal"
            placeholder={noCap ? "no cap (chosen in Settings)" : "default: one hour"}
            value={cap}
            suffix={symbol ?? undefined}
            onChange={(e) => setCap(e.target.value)}
            hint="The most one connection may spend, renewals included. Empty: the default, one hour at the node's price."
          />
        </div>
        <Button type="submit" disabled={!capChanged}>
          Save cap
        </Button>
      </form>
      {session && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="session-terms">
          This session: auto-renew {session.autoRenew ? "on" : "off"}, cap {session.cap?.formatted ?? "none"}
          {session.capSource === "default"
            ? session.plan === "time"
              ? " (the default: one hour)"
              : " (the default: ten data purchases, or one hour if more)"
            : ""}
          .{differs || saved ? " Changes apply from your next connection." : ""}
        </p>
      )}
      {error && <ErrorNotice error={error} context="Saving the connection options" />}
    </div>
  );
}
