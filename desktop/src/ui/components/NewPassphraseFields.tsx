import { humanSentence } from "../model/format.ts";
import type { PassphraseGate } from "../model/passphraseGate.ts";
import { TextField } from "./primitives.tsx";

/** A new passphrase typed twice, with the client's rule said live: what is wrong now, with its code. */
export function NewPassphraseFields({
  passphrase,
  repeated,
  onPassphrase,
  onRepeated,
  gate,
}: {
  passphrase: string;
  repeated: string;
  onPassphrase: (value: string) => void;
  onRepeated: (value: string) => void;
  gate: PassphraseGate;
}) {
  return (
    <>
      <TextField
        label="Passphrase"
        type="password"
        autoComplete="new-password"
        value={passphrase}
        onChange={(e) => onPassphrase(e.target.value)}
        hint={gate.rule}
        aria-invalid={gate.problem?.code === "weak_passphrase" ? true : undefined}
      />
      <TextField
        label="Repeat the passphrase"
        type="password"
        autoComplete="new-password"
        value={repeated}
        onChange={(e) => onRepeated(e.target.value)}
        aria-invalid={gate.problem?.code === "passphrase_mismatch" ? true : undefined}
      />
      <div aria-live="polite" data-testid="passphrase-rule">
        {gate.problem ? (
          <p className="rounded-lg bg-amber-50 p-2 text-sm text-amber-950 dark:bg-amber-950/60 dark:text-amber-100">
            {humanSentence(gate.problem.message)}
            <span className="mt-0.5 block font-mono text-[11px] opacity-70">code: {gate.problem.code}</span>
          </p>
        ) : (
          gate.canSubmit && <p className="text-sm text-emerald-700 dark:text-emerald-400">The passphrase will do.</p>
        )}
      </div>
    </>
  );
}
