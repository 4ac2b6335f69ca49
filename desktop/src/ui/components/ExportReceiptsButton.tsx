import { useState } from "react";
import { useStore } from "../storeContext.ts";
import { Button } from "./primitives.tsx";

/**
 * Saves the receipts the nodes signed, all or one lease's, as a .json file: evidence to keep or hand over in
 * a dispute. The host checks every signature again as it exports them.
 */
export function ExportReceiptsButton({ leaseId, label }: { leaseId?: string; label: string }) {
  const store = useStore();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const exportNow = async () => {
    setBusy(true);
    setSaved(null);
    try {
      const view = await store.run("receipts.export", leaseId ? { leaseId } : undefined, "Exporting the receipts");
      downloadJson(view.fileName, view.json);
      setSaved(`Saved ${view.count} receipt${view.count === 1 ? "" : "s"} as ${view.fileName}.`);
    } catch {
      // The notice says why.
    }
    setBusy(false);
  };

  return (
    <div className="flex flex-col gap-1">
      <Button className="self-start" onClick={() => void exportNow()} disabled={busy}>
        {busy ? "Exporting…" : label}
      </Button>
      {saved && (
        <p className="text-xs text-slate-500 dark:text-slate-400" role="status" data-testid="receipts-saved">
          {saved}
        </p>
      )}
    </div>
  );
}

/** A download of `json` as `fileName`, the way a browser (and Electron's save dialog) takes one. */
function downloadJson(fileName: string, json: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after the click is handled; revoking at once could cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
