import { useEffect, useState } from "react";
import type { SessionView } from "../../api/views.ts";
import { formatUnits } from "../model/format.ts";
import { useSelect } from "../storeContext.ts";
import { useSaveSettings } from "../useSaveSettings.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";
import { Button, Switch, TextField } from "./primitives.tsx";

/**
 * Auto-renew and the spend cap, saved in the settings. The core fixes both when a session starts, so while
 * connected a change is said to apply from the next connection rather than pretending otherwise.
 */
export function ConnectionOptions({ session, symbol }: { session: SessionView | null; symbol: string | null }) {
  const settings = useSelect((s) => s.settings);
  const [cap, setCap] = useState(settings?.spendCap ?? "");
  const { save, error, saved } = useSaveSettings();
  useEffect(() => setCap(settings?.spendCap ?? ""), [settings?.spendCap]);
  if (!settings) return null;

  const capText = cap.trim();
  const capChanged = (capText === "" ? null : capText) !== settings.spendCap;
  const sessionCap = session?.cap ? Number(formatUnits(session.cap.amount, session.cap.decimals)) : null;
  const settingsCap = settings.spendCap === null ? null : Number(settings.spendCap);
  const differs = session !== null && (session.autoRenew !== settings.autoRenew || sessionCap !== settingsCap);

  return (
    <div className="flex flex-col gap-3">
      <Switch
        label="Auto-renew"
        hint={`Buys ${settings.renewMinutes} more minutes shortly before the lease runs out`}
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
            placeholder="no cap"
            value={cap}
            suffix={symbol ?? undefined}
            onChange={(e) => setCap(e.target.value)}
            hint="The most one connection may spend, renewals included. Empty: no cap."
          />
        </div>
        <Button type="submit" disabled={!capChanged}>
          Save cap
        </Button>
      </form>
      {session && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="session-terms">
          This session: auto-renew {session.autoRenew ? "on" : "off"}, cap {session.cap?.formatted ?? "none"}.
          {differs || saved ? " Changes apply from your next connection." : ""}
        </p>
      )}
      {error && <ErrorNotice error={error} context="Saving the connection options" />}
    </div>
  );
}
