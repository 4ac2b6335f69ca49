import { useSelect, useStore } from "../storeContext.ts";
import { KeystoreExport } from "./KeystoreExport.tsx";
import { Button, Card } from "./primitives.tsx";
import { WalletAddress } from "./WalletAddress.tsx";

/** Settings' wallet: where to send funds (copy, QR), a backup of the encrypted keystore, and locking. */
export function WalletCard() {
  const store = useStore();
  const wallet = useSelect((s) => s.wallet);
  if (!wallet?.address) return null;
  return (
    <Card title="Wallet">
      <div className="flex flex-col gap-4">
        <WalletAddress address={wallet.address} />
        {wallet.source === "keystore" ? (
          <KeystoreExport />
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            The app pays with WG402_PRIVATE_KEY and keeps no keystore file to export.
          </p>
        )}
        {wallet.state === "unlocked" && wallet.source === "keystore" && (
          <Button
            className="self-start"
            onClick={() => void store.run("wallet.lock", undefined, "Locking the wallet").catch(() => undefined)}
          >
            Lock the wallet
          </Button>
        )}
      </div>
    </Card>
  );
}
