import type { WireError } from "@wg402/shared";
import { useState } from "react";
import type { CommandInput } from "../../api/commands.ts";
import { wireErrorOf } from "../../api/envelope.ts";
import { BalanceCard } from "../components/BalanceCard.tsx";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { type ImportedKey, ImportKeyFields } from "../components/ImportKeyFields.tsx";
import { NewPassphraseFields } from "../components/NewPassphraseFields.tsx";
import { Button, Card } from "../components/primitives.tsx";
import { WalletAddress } from "../components/WalletAddress.tsx";
import { passphraseGate } from "../model/passphraseGate.ts";
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
  const [key, setKey] = useState<ImportedKey>({ kind: "privateKey", privateKey: "" });
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(false);
  // The client's own rule: the button stays disabled while the host would refuse.
  const gate = passphraseGate(passphrase, repeat);
  const keyGiven = key.kind === "privateKey" ? key.privateKey.trim() !== "" : key.mnemonic.trim() !== "";

  const submit = async () => {
    setError(null);
    setBusy(true);
    const secret = { passphrase, confirmation: repeat };
    try {
      const input: CommandInput<"wallet.import"> =
        key.kind === "privateKey"
          ? { kind: "privateKey", privateKey: key.privateKey, ...secret }
          : { kind: "mnemonic", mnemonic: key.mnemonic, accountIndex: key.accountIndex, ...secret };
      const view =
        mode === "create" ? await store.call("wallet.create", secret) : await store.call("wallet.import", input);
      store.update((s) => ({ ...s, wallet: view }));
      setCreated(true);
      setPassphrase("");
      setRepeat("");
      setKey({ kind: "privateKey", privateKey: "" });
    } catch (e) {
      setError(wireErrorOf(e));
    }
    setBusy(false);
  };

  if (created && wallet?.address) {
    return (
      <div className="flex flex-col gap-4">
        <Card title="Your wallet is ready">
          <p className="mb-2 text-sm">This is your address. Send tokens here to pay for VPN time:</p>
          <WalletAddress address={wallet.address} />
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
            The key is stored encrypted with your passphrase in {wallet.keystorePath}. Nobody can recover it if you
            forget the passphrase; Settings exports the encrypted keystore for a backup.
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
        You pay for VPN time by the minute from a wallet on this computer. Create one, or import a key or recovery
        phrase you already have. It is stored encrypted with a passphrase.
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
        {mode === "import" && <ImportKeyFields value={key} onChange={setKey} />}
        <NewPassphraseFields
          passphrase={passphrase}
          repeated={repeat}
          onPassphrase={setPassphrase}
          onRepeated={setRepeat}
          gate={gate}
        />
        {error && <ErrorNotice error={error} />}
        <Button tone="primary" type="submit" disabled={busy || !gate.canSubmit || (mode === "import" && !keyGiven)}>
          {busy ? "Encrypting…" : mode === "create" ? "Create wallet" : "Import key"}
        </Button>
      </form>
    </Card>
  );
}
