import type { WireError } from "@wg402/shared";
import { useState } from "react";
import { wireErrorOf } from "../../api/envelope.ts";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { Button, Card, TextField } from "../components/primitives.tsx";
import { shortHex } from "../model/format.ts";
import { useSelect, useStore } from "../storeContext.ts";

export function Unlock() {
  const store = useStore();
  const wallet = useSelect((s) => s.wallet);
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const view = await store.call("wallet.unlock", { passphrase });
      store.update((s) => ({ ...s, wallet: view }));
    } catch (e) {
      setError(wireErrorOf(e));
    }
    setPassphrase("");
    setBusy(false);
  };
  return (
    <Card title="Unlock your wallet">
      <p className="mb-3 text-sm">
        Wallet <span className="font-mono">{wallet?.address ? shortHex(wallet.address) : ""}</span> is encrypted. Enter
        its passphrase to pay for VPN time.
      </p>
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="Passphrase"
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          autoFocus
        />
        {error && <ErrorNotice error={error} />}
        <Button tone="primary" type="submit" disabled={busy || passphrase === ""}>
          {busy ? "Unlocking…" : "Unlock"}
        </Button>
      </form>
    </Card>
  );
}
