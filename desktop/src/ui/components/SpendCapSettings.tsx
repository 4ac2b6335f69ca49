import { useEffect, useState } from "react";
import type { SettingsView } from "../../api/views.ts";
import { useSaveSettings } from "../useSaveSettings.ts";
import { ErrorNotice } from "./ErrorNotice.tsx";
import { Button, Card, TextField } from "./primitives.tsx";

type Choice = "default" | "figure" | "none";

const choiceOf = (cap: SettingsView["spendCap"]): Choice =>
  cap === null ? "default" : cap === "none" ? "none" : "figure";

/**
 * The session spend cap and its countdown. The default is one hour at the chosen node's price; "no cap" is
 * offered here only, as a deliberate choice, since auto-renew would otherwise pay until the balance is gone.
 */
export function SpendCapSettings({ settings }: { settings: SettingsView }) {
  const { save, error, saved } = useSaveSettings();
  const [choice, setChoice] = useState<Choice>(choiceOf(settings.spendCap));
  const [figure, setFigure] = useState(choiceOf(settings.spendCap) === "figure" ? String(settings.spendCap) : "");
  const [warning, setWarning] = useState(String(settings.capWarningMinutes));
  useEffect(() => {
    setChoice(choiceOf(settings.spendCap));
    if (choiceOf(settings.spendCap) === "figure") setFigure(String(settings.spendCap));
    setWarning(String(settings.capWarningMinutes));
  }, [settings.spendCap, settings.capWarningMinutes]);

  const options: { id: Choice; label: string; hint: string }[] = [
    { id: "default", label: "Default: one hour", hint: "One hour of the chosen node's price, renewals included." },
    { id: "figure", label: "A fixed amount", hint: "The most one connection may spend." },
    { id: "none", label: "No cap", hint: "Auto-renew pays until you disconnect or the balance runs out." },
  ];
  return (
    <Card title="Spend cap">
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const spendCap = choice === "default" ? null : choice === "none" ? "none" : figure.trim();
          void save({ spendCap, capWarningMinutes: Number(warning) });
        }}
      >
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm">How much one connection may spend</legend>
          {options.map((o) => (
            <label key={o.id} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name="spend-cap"
                className="mt-1 accent-indigo-600"
                checked={choice === o.id}
                onChange={() => setChoice(o.id)}
              />
              <span>
                <span className="font-semibold">{o.label}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">{o.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {choice === "figure" && (
          <TextField
            label="Spend cap per session"
            inputMode="decimal"
            placeholder="0.5"
            value={figure}
            onChange={(e) => setFigure(e.target.value)}
            hint="In whole tokens of the node's currency, such as 0.5."
          />
        )}
        <TextField
          label="Count down before the cap ends a session (minutes)"
          type="number"
          min={0}
          value={warning}
          onChange={(e) => setWarning(e.target.value)}
          hint="A banner with a countdown shows this long before the cap ends the session. 0 turns it off."
        />
        {error && <ErrorNotice error={error} context="Saving the spend cap" />}
        {saved && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved. It applies from your next connection.
          </p>
        )}
        <Button type="submit" className="self-start">
          Save cap
        </Button>
      </form>
    </Card>
  );
}
