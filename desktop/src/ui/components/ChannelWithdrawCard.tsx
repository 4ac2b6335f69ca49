import { useCallback, useEffect, useState } from "react";
import type { ChannelView, WithdrawnView } from "../../api/views.ts";
import { formatDuration, shortHex } from "../model/format.ts";
import { withdrawStage } from "../model/withdrawCountdown.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { useNow } from "../useNow.ts";
import { Button, Card } from "./primitives.tsx";
import { TxHash } from "./TxHash.tsx";

/**
 * The escape hatch from a node that is gone: per channel this wallet paid on with money left in the escrow,
 * start the escrow's own withdrawal (the wallet sends it and pays its gas), wait out the node's last chance to
 * claim, then finalize. A node that still answers refunds at disconnect with no gas at all; this is for one
 * that does not.
 */
export function ChannelWithdrawCard() {
  const store = useStore();
  const now = useNow();
  const session = useSelect((s) => s.session.session);
  const lastClosed = useSelect((s) => s.lastClosed);
  const [channels, setChannels] = useState<ChannelView[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [started, setStarted] = useState<Record<string, { txHash: string; txUrl: string | null }>>({});
  const [done, setDone] = useState<Record<string, WithdrawnView>>({});

  const load = useCallback(
    () =>
      store.call("channels.list", undefined).then(
        (list) => setChannels(list),
        () => setChannels(null),
      ),
    [store],
  );
  // A session's close refunds its channel: the list is read again then.
  useEffect(() => {
    void lastClosed;
    void session?.leaseId;
    void load();
  }, [load, lastClosed, session?.leaseId]);

  // While a withdrawal waits out its delay, the chain is read again now and then: its clock decides.
  const waiting = (channels ?? []).some((c) => c.withdrawal !== null);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, [waiting, load]);

  const act = async (channelId: string, what: "withdraw" | "finalize") => {
    setBusy(channelId);
    try {
      if (what === "withdraw") {
        const result = await store.run("channels.withdraw", { channelId }, "Starting the withdrawal");
        setStarted((s) => ({ ...s, [channelId]: { txHash: result.txHash, txUrl: result.txUrl } }));
      } else {
        const result = await store.run("channels.finalize", { channelId }, "Finalizing the withdrawal");
        setDone((s) => ({ ...s, [channelId]: result }));
      }
      await load();
    } catch {
      // The notice says why.
    }
    setBusy(null);
  };

  const shown = (channels ?? []).filter((c) => withdrawStage(c, now).stage !== "empty" || done[c.channelId]);
  if (shown.length === 0) return null;
  return (
    <Card title="Money in escrow channels">
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">
        Disconnecting refunds a channel at once. If its node is gone, withdraw here instead: you send the two
        transactions and pay their gas, and the node keeps a last chance to claim what it is owed first.
      </p>
      <ul className="flex flex-col gap-3" data-testid="escrow-channels">
        {shown.map((c) => {
          const stage = withdrawStage(c, now);
          const inUse = session?.channel?.channelId.toLowerCase() === c.channelId.toLowerCase();
          const result = done[c.channelId];
          return (
            <li key={c.channelId} className="text-sm" data-testid="escrow-channel" data-channel={c.channelId}>
              <p>
                <span className="font-mono" title={c.channelId}>
                  {shortHex(c.channelId)}
                </span>{" "}
                with {c.nodeUrl}: <span className="font-semibold">{c.withdrawable.formatted}</span> above the node's
                claims
              </p>
              {result && (
                <p role="status" className="text-emerald-700 dark:text-emerald-400" data-testid="withdrawn">
                  Got back {result.amount.formatted} <TxHash hash={result.txHash} url={result.txUrl} />
                </p>
              )}
              {stage.stage === "idle" &&
                (inUse ? (
                  <p className="text-xs text-slate-500">It pays for the running session: disconnecting refunds it.</p>
                ) : (
                  <Button onClick={() => void act(c.channelId, "withdraw")} disabled={busy !== null}>
                    {busy === c.channelId ? "Starting…" : `Withdraw ${c.withdrawable.formatted}`}
                  </Button>
                ))}
              {stage.stage === "waiting" && (
                <div className="flex flex-wrap items-center gap-2">
                  <p className="text-xs" data-testid="withdraw-countdown">
                    Withdrawal of {c.withdrawal?.amount.formatted} started
                    {started[c.channelId] && (
                      <>
                        {" "}
                        (<TxHash hash={started[c.channelId]?.txHash} url={started[c.channelId]?.txUrl} />)
                      </>
                    )}
                    : finalize in {formatDuration(stage.secondsLeft)}, at{" "}
                    {new Date(stage.finalizableAt).toLocaleString()}.
                  </p>
                  <Button disabled>Finalize</Button>
                </div>
              )}
              {stage.stage === "ready" && (
                <Button tone="primary" onClick={() => void act(c.channelId, "finalize")} disabled={busy !== null}>
                  {busy === c.channelId ? "Finalizing…" : "Finalize"}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
