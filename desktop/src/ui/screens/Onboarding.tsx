import type { WireError } from "@wg402/shared";
import { useState } from "react";
import { wireErrorOf } from "../../api/envelope.ts";
import { BalanceCard } from "../components/BalanceCard.tsx";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { Button, Card, TextField } from "../components/primitives.tsx";
import { useSelect, useStore } from "../storeContext.ts";

type Mode = "create" | "import";

/** First run: create or import the wallet that pays, then see its address (and, locally, get test funds). */
export function Onboarding({ onDone }: { onDone: () => void }) {
  const store = useStore();
  const wallet = useSelect((s) => s.wallet);
  const info = useSelect((s) => s.info);
  const [mode, setMode] = useState<Mode>("create");
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const [privateKey, setPrivateKey] = useState("");
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(false);

  const submit = async () => {
    setError(null);
    if (passphrase !== repeat) {
      setError({ error: "passphrase_required", message: "the two passphrases differ" });
      return;
    }
    setBusy(true);
    try {
      const view =
        mode === "create"
          ? await store.call("wallet.create", { passphrase })
          : await store.call("wallet.import", { privateKey, passphrase });
      store.update((s) => ({ ...s, wallet: view }));
      setCreated(true);
      setPassphrase("");
      setRepeat("");
      setPrivateKey("");
    } catch (e) {
      setError(wireErrorOf(e));
    }
    setBusy(false);
  };

  if (created && wallet?.address) {
    return (
      <div className="flex flex-col gap-4">
        <Card title="Your wallet is ready">
          <p className="text-sm">This is your address. Send tokens here to pay for VPN time:</p>
          <p
            className="mt-2 break-all rounded-lg bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800"
            data-testid="wallet-address"
          >
            {wallet.address}
          </p>
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
            The key is stored encrypted with your passphrase in {wallet.keystorePath}. Nobody can recover it if you
            forget the passphrase.
          </p>
        </Card>
        {info?.localStack && <BalanceCard network={info.localStack.network} />}
        <Button tone="primary" onClick={onDone} className="self-end">
          Continue
        </Button>
      </div>
    );
  }

  return (
    <Card title="Welcome to wg402">
      <p className="mb-4 text-sm">
        You pay for VPN time by the minute from a wallet on this computer. Create one, or import a key you already have.
        It is stored encrypted with a passphrase.
      </p>
      <div className="mb-4 flex gap-2" role="tablist" aria-label="Wallet">
        {(["create", "import"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={`rounded-full px-4 py-1.5 text-sm font-medium ring-1 ${
              mode === m ? "bg-indigo-600 text-white ring-indigo-600" : "ring-slate-300 dark:ring-slate-700"
            }`}
          >
            {m === "create" ? "Create a wallet" : "Import a key"}
          </button>
        ))}
      </div>
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {mode === "import" && (
          <TextField
            label="Private key"
            type="password"
            autoComplete="off"
            value={privateKey}
            onChange={(e) => setPrivateKey(e.target.value)}
            hint="0x followed by 64 hex digits. It never leaves this computer."
          />
        )}
        <TextField
          label="Passphrase"
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
        />
        <TextField
          label="Repeat the passphrase"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        {error && <ErrorNotice error={error} />}
        <Button tone="primary" type="submit" disabled={busy || passphrase === ""}>
          {busy ? "Encrypting…" : mode === "create" ? "Create wallet" : "Import key"}
        </Button>
      </form>
    </Card>
  );
}
