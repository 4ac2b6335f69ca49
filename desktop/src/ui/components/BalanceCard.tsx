import { useEffect, useState } from "react";
import { formatApprox, plural, shortHex } from "../model/format.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { Button, Card } from "./primitives.tsx";

/**
 * The wallet's token and gas balance, what its escrow channels hold (money that is the wallet's until a node
 * charges it), and on a test chain the faucet.
 */
export function BalanceCard({ network }: { network: string | null }) {
  const store = useStore();
  const balances = useSelect((s) => s.balances);
  const wallet = useSelect((s) => s.wallet);
  const [busy, setBusy] = useState<"faucet" | "refresh" | null>(null);
  const [funded, setFunded] = useState<string | null>(null);

  const input = network ? { network } : undefined;
  // Read whenever the chain or the wallet changes; while connected the host also pushes fresh balances.
  useEffect(() => {
    if (!wallet?.address || !network) return;
    void store.run("wallet.balances", { network }, "Reading your balance").catch(() => undefined);
  }, [store, wallet?.address, network]);

  const refresh = async () => {
    setBusy("refresh");
    await store.run("wallet.balances", input, "Reading your balance").catch(() => undefined);
    setBusy(null);
  };
  const faucet = async () => {
    setBusy("faucet");
    setFunded(null);
    try {
      const result = await store.run("wallet.faucet", input, "Getting test funds");
      setFunded(`Received ${result.received.formatted}${result.gasTopUp ? " (and gas for the faucet call)" : ""}.`);
    } catch {
      // The notice says why.
    }
    setBusy(null);
  };

  return (
    <Card
      title="Balance"
      actions={
        <Button onClick={refresh} disabled={busy !== null} aria-label="Refresh the balance">
          {busy === "refresh" ? "Reading…" : "Refresh"}
        </Button>
      }
    >
      {balances ? (
        <div className="flex flex-col gap-3">
          <div className="flex flex-wrap items-end justify-between gap-2">
            <p className="text-3xl font-bold tabular-nums" data-testid="token-balance">
              {balances.token.formatted}
            </p>
            <p className="text-sm text-slate-500 tabular-nums dark:text-slate-400" data-testid="gas-balance">
              gas ≈ {formatApprox(balances.gas.amount, balances.gas.decimals)} {balances.gas.symbol}
            </p>
          </div>
          {balances.escrow && BigInt(balances.escrow.total.amount) > 0n && (
            <p className="text-sm text-slate-600 dark:text-slate-300">
              In escrow:{" "}
              <span
                className="font-semibold tabular-nums"
                data-testid="escrow-balance"
                data-amount={balances.escrow.total.amount}
              >
                {balances.escrow.total.formatted}
              </span>{" "}
              <span className="text-xs text-slate-500 dark:text-slate-400">
                in {plural(balances.escrow.channels, "channel")}, yours until a node charges it
              </span>
            </p>
          )}
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {balances.chainName}
            {balances.testOnly ? " (test chain: these tokens have no value)" : ""} · wallet{" "}
            <span className="font-mono" title={balances.address}>
              {shortHex(balances.address)}
            </span>
          </p>
          {balances.faucet && (
            <div className="flex flex-wrap items-center gap-3">
              <Button tone="primary" onClick={faucet} disabled={busy !== null || wallet?.state !== "unlocked"}>
                {busy === "faucet" ? "Asking the faucet…" : "Get test funds"}
              </Button>
              {funded && (
                <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
                  {funded}
                </p>
              )}
            </div>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          {wallet?.address ? "Reading your balance…" : "No wallet yet."}
        </p>
      )}
    </Card>
  );
}
