import type { WireError } from "@wg402/shared";
import { useEffect, useMemo, useReducer, useState } from "react";
import { wireErrorOf } from "../../api/envelope.ts";
import type { LeasePlanView, QuoteView, ReachableNodeView } from "../../api/views.ts";
import { BalanceCard } from "../components/BalanceCard.tsx";
import { ChannelWithdrawCard } from "../components/ChannelWithdrawCard.tsx";
import { ChosenNode } from "../components/ChosenNode.tsx";
import { ClosedSummaryCard } from "../components/ClosedSummaryCard.tsx";
import { ConnectionOptions } from "../components/ConnectionOptions.tsx";
import { ConnectToggle } from "../components/ConnectToggle.tsx";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { LowBalanceBanner } from "../components/LowBalanceBanner.tsx";
import { NodeList } from "../components/NodeList.tsx";
import { PlanSummary } from "../components/PlanSummary.tsx";
import { PurchaseFields } from "../components/PurchaseFields.tsx";
import { Card } from "../components/primitives.tsx";
import { RecordedLease } from "../components/RecordedLease.tsx";
import { SessionPanel } from "../components/SessionPanel.tsx";
import { initialToggle, pressAction, reduceToggle, toggleKind, toggleLook } from "../model/connectToggle.ts";
import { chosenNode, selectable } from "../model/nodeRanking.ts";
import { unusableReason } from "../model/nodeTrust.ts";
import { purchaseInput, purchaseOf } from "../model/purchase.ts";
import { sessionHealth } from "../model/sessionHealth.ts";
import { applyClosed, applySnapshot } from "../state/appState.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { useNow } from "../useNow.ts";
import { useSaveSettings } from "../useSaveSettings.ts";

export function Home() {
  const store = useStore();
  const session = useSelect((s) => s.session.session);
  const nodes = useSelect((s) => s.nodes);
  const wallet = useSelect((s) => s.wallet);
  const settings = useSelect((s) => s.settings);
  const info = useSelect((s) => s.info);
  const lastClosed = useSelect((s) => s.lastClosed);
  const now = useNow();
  const [selected, setSelected] = useState<string | null>(null);
  const [minutesText, setMinutesText] = useState<string | null>(null);
  const [megabytesText, setMegabytesText] = useState<string | null>(null);
  // The choice shows at once; it is saved too, so that "pay to continue" and the next launch buy the same plan.
  const [planChoice, setPlanChoice] = useState<LeasePlanView | null>(null);
  const { save: saveSettings } = useSaveSettings();
  const [toggle, dispatch] = useReducer(reduceToggle, initialToggle);
  const [quote, setQuote] = useState<{ quote: QuoteView | null; error: WireError | null }>({
    quote: null,
    error: null,
  });

  useEffect(() => dispatch({ type: "session", session }), [session]);
  const kind = toggleKind({ ...toggle, session });
  const look = toggleLook(kind, sessionHealth(session, now, settings?.capWarningMinutes ?? 2));

  const usable = useMemo(() => (nodes ?? []).filter(selectable), [nodes]);
  // Until the user picks one, the cheapest usable node; a pick holds while its node is listed.
  useEffect(() => {
    const choice = chosenNode(selected, nodes ?? [], usable);
    if (choice !== selected) setSelected(choice);
  }, [nodes, usable, selected]);
  const node = usable.find((n) => n.url === selected) ?? null;
  const sessionNode = session
    ? ((nodes ?? []).find((n): n is ReachableNodeView => n.reachable && n.url === session.nodeUrl) ?? null)
    : null;

  const shownMinutes = minutesText ?? String(settings?.minutes ?? 10);
  const shownMegabytes = megabytesText ?? String(settings?.megabytes ?? 100);
  const purchase = purchaseOf(
    { plan: planChoice ?? settings?.plan ?? "time", minutesText: shownMinutes, megabytesText: shownMegabytes },
    node,
  );
  const { minutes, megabytes } = purchase;
  const purchaseValid = purchase.invalid === null;

  const network = session?.network ?? node?.network ?? info?.localStack?.network ?? null;
  // The quote carries the plan's cap, which follows the settings: asked again when they change.
  const capSetting = settings?.spendCap;
  useEffect(() => {
    if (!node || !purchaseValid || session) return;
    void capSetting;
    let current = true;
    const timer = setTimeout(() => {
      store.call("nodes.quote", { url: node.url, ...purchaseInput({ minutes, megabytes }) }).then(
        (q) => current && setQuote({ quote: q, error: null }),
        (e: unknown) => current && setQuote({ quote: null, error: wireErrorOf(e) }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [store, node, minutes, megabytes, purchaseValid, session, capSetting]);

  const disabledReason =
    wallet?.state !== "unlocked"
      ? "Unlock your wallet first"
      : !node
        ? selected
          ? (unusableReason(selected, nodes ?? []) ??
            "The chosen node is not answering right now; wait, or choose another")
          : "Choose a node first"
        : purchase.invalid;

  const settle = (snapshot: Parameters<typeof applySnapshot>[1]) => store.update((s) => applySnapshot(s, snapshot));
  // After a failure: the session, and a lease that may have been left open (app.info), read again.
  const resync = () => void store.refresh();

  const press = async () => {
    const action = pressAction({ ...toggle, session });
    if (!action) return;
    dispatch({ type: "press" });
    try {
      if (action === "connect" && node)
        settle(await store.call("session.connect", { nodeUrl: node.url, ...purchaseInput(purchase) }));
      if (action === "disconnect") {
        const { snapshot, summary } = await store.call("session.disconnect", undefined);
        store.update((s) => applyClosed(applySnapshot(s, snapshot), summary));
      }
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
  const planned =
    quote.quote &&
    node &&
    quote.quote.nodeUrl === node.url &&
    quote.quote.minutes === minutes &&
    quote.quote.megabytes === megabytes
      ? quote.quote
      : null;

  return (
    <div className="flex flex-col gap-4">
      {info?.recordedLease && !session && <RecordedLease />}
      {lastClosed && !session && (
        <ClosedSummaryCard summary={lastClosed} onDismiss={() => store.update((s) => ({ ...s, lastClosed: null }))} />
      )}
      <LowBalanceBanner price={price} secondsPerMinute={secondsPerMinute} />
      <BalanceCard network={network} />

      <Card>
        <ConnectToggle
          kind={look}
          onPress={() => void press()}
          disabledReason={disabledReason}
          paid={session?.leaseId != null}
        />
        <ChosenNode node={session ? sessionNode : node} session={session} />
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
            <PurchaseFields
              node={node}
              purchase={purchase}
              onPlan={(plan) => {
                setPlanChoice(plan);
                void saveSettings({ plan });
              }}
              minutesText={shownMinutes}
              onMinutes={setMinutesText}
              megabytesText={shownMegabytes}
              onMegabytes={setMegabytesText}
              quote={planned}
              quoteError={quote.error}
            />
            {planned && settings && <PlanSummary quote={planned} settings={settings} />}
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
      {wallet?.state === "unlocked" && <ChannelWithdrawCard />}
    </div>
  );
}
