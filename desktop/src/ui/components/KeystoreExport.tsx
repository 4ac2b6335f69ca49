import { useEffect, useState } from "react";
import type { KeystoreExportView } from "../../api/views.ts";
import { useStore } from "../storeContext.ts";
import { Button } from "./primitives.tsx";

/**
 * The keystore file for a backup or another wallet app: still encrypted with the passphrase, so it is safe
 * to save, and useless without the passphrase. Downloaded as a file, or shown to copy.
 */
export function KeystoreExport() {
  const store = useStore();
  const [exported, setExported] = useState<KeystoreExportView | null>(null);
  const [busy, setBusy] = useState(false);
  const url = useObjectUrl(exported?.json ?? null);

  const load = async () => {
    setBusy(true);
    try {
      setExported(await store.run("wallet.export", undefined, "Exporting the keystore"));
    } catch {
      // The notice says why.
    }
    setBusy(false);
  };

  return (
    <div className="flex flex-col gap-2" data-testid="keystore-export">
      <p className="text-sm">
        The keystore is your key encrypted with your passphrase (keystore v3). Keep a copy somewhere safe: with the
        passphrase it restores this wallet here or in another Ethereum wallet.
      </p>
      {!exported ? (
        <Button className="self-start" onClick={() => void load()} disabled={busy}>
          {busy ? "Reading…" : "Export the encrypted keystore"}
        </Button>
      ) : (
        <>
          {url && (
            <a
              href={url}
              download={exported.fileName}
              className="max-w-full self-start break-all rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
            >
              Download {exported.fileName}
            </a>
          )}
          <details>
            <summary className="cursor-pointer text-sm">Show the keystore JSON</summary>
            <pre
              className="mt-2 max-h-64 overflow-auto rounded-lg bg-slate-100 p-2 text-[11px] dark:bg-slate-800"
              data-testid="keystore-json"
            >
              {exported.json}
            </pre>
          </details>
        </>
      )}
    </div>
  );
}

/** An object URL for `text` as a JSON file, revoked when it changes or the component goes away. */
function useObjectUrl(text: string | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (text === null) return;
    const made = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [text]);
  return url;
}
