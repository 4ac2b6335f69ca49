import { useState } from "react";
import { useSelect, useStore } from "../storeContext.ts";
import { Button } from "./primitives.tsx";

/** A lease an earlier run left open, with the one action that makes sense: close it and remove its tunnel. */
export function RecordedLease() {
  const store = useStore();
  const info = useSelect((s) => s.info);
  const [busy, setBusy] = useState(false);
  const lease = info?.recordedLease;
  if (!lease) return null;
  const close = async () => {
    setBusy(true);
    try {
      await store.run("session.closeRecorded", undefined, "Closing the earlier lease");
    } catch {
      // The notice says why.
    }
    await store.refresh();
    setBusy(false);
  };
  return (
    <div
      role="alert"
      className="rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <p className="font-semibold">A lease from an earlier run is still open</p>
      <p className="break-all">
        {lease.leaseId} on {lease.nodeUrl}, until {new Date(lease.expiresAt).toLocaleString()}
        {lease.blocked ? "; its kill switch is holding traffic" : ""}.
      </p>
      <Button className="mt-2" tone="warning" onClick={() => void close()} disabled={busy}>
        {busy ? "Closing…" : "Close it and remove its tunnel"}
      </Button>
    </div>
  );
}
