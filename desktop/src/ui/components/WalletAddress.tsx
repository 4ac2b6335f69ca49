import { useEffect, useState } from "react";
import type { AddressQrView } from "../../api/views.ts";
import { useStore } from "../storeContext.ts";
import { Button } from "./primitives.tsx";

/** Copies with the Clipboard API, or (an older shell, a denied permission) a selection and execCommand. */
async function copyText(text: string, fallback: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallback) return false;
    const range = document.createRange();
    range.selectNodeContents(fallback);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return document.execCommand("copy");
  }
}

/** The wallet's address to send funds to: the text, a Copy button and a QR code for a phone wallet. */
export function WalletAddress({ address }: { address: string }) {
  const store = useStore();
  const [qr, setQr] = useState<AddressQrView | null>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const [shown, setShown] = useState<HTMLElement | null>(null);
  useEffect(() => {
    let current = true;
    store.run("wallet.qr", undefined, "Drawing the address's QR code").then(
      // Only the code of the address shown: a late answer for another wallet is dropped.
      (view) => current && view.address.toLowerCase() === address.toLowerCase() && setQr(view),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [store, address]);

  return (
    <div className="flex flex-col gap-2">
      <p
        ref={setShown}
        className="break-all rounded-lg bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800"
        data-testid="wallet-address"
      >
        {address}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={() => void copyText(address, shown).then((ok) => setCopied(ok ? "yes" : "no"))}>
          Copy address
        </Button>
        {copied && (
          <span role="status" className="text-sm text-slate-600 dark:text-slate-300">
            {copied === "yes" ? "Copied." : "Could not copy: select the address and copy it by hand."}
          </span>
        )}
      </div>
      {qr && (
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.svg)}`}
          alt={`QR code of the address ${address}`}
          data-testid="address-qr"
          className="h-40 w-40 self-start rounded-lg bg-white p-1"
        />
      )}
    </div>
  );
}
