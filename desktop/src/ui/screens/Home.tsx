import type { WireError } from "@wg402/shared";
import { useEffect, useMemo, useReducer, useState } from "react";
import { wireErrorOf } from "../../api/envelope.ts";
import type { QuoteView, ReachableNodeView } from "../../api/views.ts";
import { BalanceCard } from "../components/BalanceCard.tsx";
import { ConnectionOptions } from "../components/ConnectionOptions.tsx";
import { ConnectToggle } from "../components/ConnectToggle.tsx";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { LowBalanceBanner } from "../components/LowBalanceBanner.tsx";
import { NodeList } from "../components/NodeList.tsx";
import { Button, Card, TextField } from "../components/primitives.tsx";
import { SessionPanel } from "../components/SessionPanel.tsx";
import { initialToggle, pressAction, reduceToggle, toggleKind } from "../model/connectToggle.ts";
import { rankNodes } from "../model/nodeRanking.ts";
import { applySnapshot } from "../state/appState.ts";
import { useSelect, useStore } from "../storeContext.ts";

export function Home() {
  const store = useStore();
  const session = useSelect((s) => s.session.session);
  const nodes = useSelect((s) => s.nodes);
  const wallet = useSelect((s) => s.wallet);
  const settings = useSelect((s) => s.settings);
  const info = useSelect((s) => s.info);
  const [selected, setSelected] = useState<string | null>(null);
  const [minutesText, setMinutesText] = useState<string | null>(null);
  const [toggle, dispatch] = useReducer(reduceToggle, initialToggle);
  const [quote, setQuote] = useState<{ quote: QuoteView | null; error: WireError | null }>({
    quote: null,
    error: null,
  });

  useEffect(() => dispatch({ type: "session", session }), [session]);
  const kind = toggleKind({ ...toggle, session });

  const usable = useMemo(
    () => (nodes ?? []).filter((n): n is ReachableNodeView => n.reachable && n.capacity.available > 0),
    [nodes],
  );
  // Until the user picks one: the cheapest usable node.
  useEffect(() => {
    if (selected && usable.some((n) => n.url === selected)) return;
    const first = rankNodes(usable, "price")[0];
    setSelected(first?.url ?? null);
  }, [usable, selected]);
  const node = usable.find((n) => n.url === selected) ?? null;

  const minutes = Number(minutesText ?? settings?.minutes ?? 10);
  const minutesValid =
    Number.isInteger(minutes) && minutes > 0 && (!node || (minutes >= node.minMinutes && minutes <= node.maxMinutes));

  const network = session?.network ?? node?.network ?? info?.localStack?.network ?? null;
  useEffect(() => {
    if (!node || !minutesValid || session) return;
    let current = true;
    const timer = setTimeout(() => {
      store.call("nodes.quote", { url: node.url, minutes }).then(
        (q) => current && setQuote({ quote: q, error: null }),
        (e: unknown) => current && setQuote({ quote: null, error: wireErrorOf(e) }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [store, node, minutes, minutesValid, session]);

  const disabledReason =
    wallet?.state !== "unlocked"
      ? "Unlock your wallet first"
      : !node
        ? "Choose a node first"
        : !minutesValid
          ? `Choose between ${node.minMinutes} and ${node.maxMinutes} minutes`
          : null;

  const settle = (snapshot: Parameters<typeof applySnapshot>[1]) => store.update((s) => applySnapshot(s, snapshot));
  // After a failure: the session, and a lease that may have been left open (app.info), read again.
  const resync = () => void store.refresh();

  const press = async () => {
    const action = pressAction({ ...toggle, session });
    if (!action) return;
    dispatch({ type: "press" });
    try {
      if (action === "connect" && node) settle(await store.call("session.connect", { nodeUrl: node.url, minutes }));
      if (action === "disconnect") settle((await store.call("session.disconnect", undefined)).snapshot);
      dispatch({ type: "done" });
    } catch (error) {
      dispatch({ type: "failed", error: wireErrorOf(error) });
      resync();
    }
  };
  const resume = async () => {
    dispatch({ type: "resume" });
    try {
      settle(await store.call("session.resume", undefined));
      dispatch({ type: "done" });
    } catch (error) {
      dispatch({ type: "failed", error: wireErrorOf(error) });
      resync();
    }
  };

  const price = session?.pricePerMinute ?? node?.pricePerMinute ?? null;
  const secondsPerMinute = session?.secondsPerMinute ?? node?.secondsPerMinute ?? 60;

  return (
    <div className="flex flex-col gap-4">
      {info?.recordedLease && !session && <RecordedLease />}
      <LowBalanceBanner price={price} secondsPerMinute={secondsPerMinute} />
      <BalanceCard network={network} />

      <Card>
        <ConnectToggle kind={kind} onPress={() => void press()} disabledReason={disabledReason} />
        {toggle.error && (
          <div className="mt-3">
            <ErrorNotice
              error={toggle.error}
              context={kind === "off" ? "Could not connect" : "Could not disconnect cleanly"}
            />
          </div>
        )}
        {!session && (
          <div className="mt-4 flex flex-col gap-3">
            <TextField
              label="Minutes to buy now"
              type="number"
              inputMode="numeric"
              min={node?.minMinutes ?? 1}
              max={node?.maxMinutes}
              value={minutesText ?? String(settings?.minutes ?? 10)}
              onChange={(e) => setMinutesText(e.target.value)}
              hint={
                quote.quote && node && quote.quote.nodeUrl === node.url && quote.quote.minutes === minutes
                  ? `${node.name} asks ${quote.quote.total.formatted} for ${minutes} minute${minutes === 1 ? "" : "s"}.`
                  : undefined
              }
              error={quote.error ? <ErrorNotice error={quote.error} context="The node's quote" /> : undefined}
            />
            <ConnectionOptions session={null} symbol={node?.pricePerMinute.symbol ?? null} />
          </div>
        )}
      </Card>

      {session && (
        <SessionPanel
          session={session}
          busy={toggle.pending !== null}
          onResume={() => void resume()}
          onDisconnect={() => void press()}
        />
      )}
      {!session && <NodeList selected={selected} onSelect={setSelected} />}
    </div>
  );
}

function RecordedLease() {
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
