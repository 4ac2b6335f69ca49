import { type ReactNode, useEffect, useState } from "react";
import { CapCountdownBanner } from "./components/CapCountdownBanner.tsx";
import { Notices } from "./components/Notices.tsx";
import { StatusPill } from "./components/StatusPill.tsx";
import { capCountdown, sessionHealth } from "./model/sessionHealth.ts";
import { History } from "./screens/History.tsx";
import { Home } from "./screens/Home.tsx";
import { Onboarding } from "./screens/Onboarding.tsx";
import { Settings } from "./screens/Settings.tsx";
import { Unlock } from "./screens/Unlock.tsx";
import { useSelect } from "./storeContext.ts";
import { useNow } from "./useNow.ts";

type Tab = "home" | "history" | "settings";

const TABS: { id: Tab; label: string }[] = [
  { id: "home", label: "Home" },
  { id: "history", label: "History" },
  { id: "settings", label: "Settings" },
];

export function App() {
  const wallet = useSelect((s) => s.wallet);
  const session = useSelect((s) => s.session.session);
  const warningMinutes = useSelect((s) => s.settings?.capWarningMinutes ?? 2);
  const now = useNow();
  const [tab, setTab] = useState<Tab>("home");
  const [onboarding, setOnboarding] = useState(false);
  // Onboarding stays up after the wallet exists, until the user has seen its address.
  useEffect(() => {
    if (wallet?.state === "none") setOnboarding(true);
  }, [wallet?.state]);

  const firstRun = wallet?.state === "none" || onboarding;
  let body: ReactNode;
  if (!wallet) body = <p className="text-sm text-slate-500">Starting…</p>;
  else if (firstRun)
    body = (
      <Onboarding
        onDone={() => {
          setOnboarding(false);
          setTab("home");
        }}
      />
    );
  else if (wallet.state === "locked" && !session) body = <Unlock />;
  else body = tab === "home" ? <Home /> : tab === "history" ? <History /> : <Settings />;

  const health = sessionHealth(session, now, warningMinutes);
  const capSecondsLeft = capCountdown(session, now, warningMinutes);
  return (
    <div className="mx-auto flex min-h-screen w-full max-w-2xl flex-col gap-4 p-3 sm:p-6">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="flex items-center gap-2 text-xl font-bold">
          wg402
          <StatusPill health={health} capSecondsLeft={capSecondsLeft} />
        </h1>
        {!firstRun && wallet && wallet.state !== "locked" && (
          <nav aria-label="Main">
            <ul className="flex gap-1">
              {TABS.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    aria-current={tab === t.id ? "page" : undefined}
                    onClick={() => setTab(t.id)}
                    className={`rounded-lg px-3 py-2 text-sm font-medium ${
                      tab === t.id
                        ? "bg-slate-900 text-white dark:bg-white dark:text-slate-900"
                        : "hover:bg-slate-200 dark:hover:bg-slate-800"
                    }`}
                  >
                    {t.label}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      {session && capSecondsLeft !== null && <CapCountdownBanner session={session} secondsLeft={capSecondsLeft} />}
      <Notices />
      <main className="flex flex-col gap-4">{body}</main>
    </div>
  );
}
