import { TextField } from "./primitives.tsx";

/** A key to import: its hex, or a BIP-39 recovery phrase and which of its accounts. */
export type ImportedKey =
  | { kind: "privateKey"; privateKey: string }
  | { kind: "mnemonic"; mnemonic: string; accountIndex: number };

/** Neither is ever echoed back by the host; both fields are masked or not remembered by the browser. */
export function ImportKeyFields({ value, onChange }: { value: ImportedKey; onChange: (key: ImportedKey) => void }) {
  return (
    <>
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="sr-only">What to import</legend>
        {(["privateKey", "mnemonic"] as const).map((kind) => (
          <label key={kind} className="flex items-center gap-1">
            <input
              type="radio"
              name="import-kind"
              className="accent-indigo-600"
              checked={value.kind === kind}
              onChange={() =>
                onChange(kind === "privateKey" ? { kind, privateKey: "" } : { kind, mnemonic: "", accountIndex: 0 })
              }
            />
            {kind === "privateKey" ? "A private key" : "A recovery phrase (BIP-39)"}
          </label>
        ))}
      </fieldset>
      {value.kind === "privateKey" ? (
        <TextField
          label="Private key"
          type="password"
          autoComplete="off"
          value={value.privateKey}
          onChange={(e) => onChange({ ...value, privateKey: e.target.value })}
          hint="0x followed by 64 hex digits. It never leaves this computer."
        />
      ) : (
        <>
          <div className="flex flex-col gap-1">
            <label htmlFor="import-mnemonic" className="text-sm font-medium">
              Recovery phrase
            </label>
            <textarea
              id="import-mnemonic"
              autoComplete="off"
              spellCheck={false}
              rows={3}
              value={value.mnemonic}
              onChange={(e) => onChange({ ...value, mnemonic: e.target.value })}
              className="rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"
            />
            <p className="text-xs text-slate-500 dark:text-slate-400">
              12 to 24 words, checked against the BIP-39 list and its checksum. It never leaves this computer.
            </p>
          </div>
          <TextField
            label="Account index"
            type="number"
            min={0}
            inputMode="numeric"
            value={String(value.accountIndex)}
            onChange={(e) => onChange({ ...value, accountIndex: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
            hint={`The account m/44'/60'/0'/0/${value.accountIndex}, as Ethereum wallets number them (0 is the first).`}
          />
        </>
      )}
    </>
  );
}
