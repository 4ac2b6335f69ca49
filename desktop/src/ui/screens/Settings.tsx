import type { WireError } from "@wg402/shared";
import { useEffect, useState } from "react";
import { wireErrorOf } from "../../api/envelope.ts";
import type { SettingsView, TunnelDriverKind } from "../../api/views.ts";
import { ErrorNotice } from "../components/ErrorNotice.tsx";
import { Button, Card, Switch, TextField } from "../components/primitives.tsx";
import { SpendCapSettings } from "../components/SpendCapSettings.tsx";
import { WalletCard } from "../components/WalletCard.tsx";
import { humanSentence } from "../model/format.ts";
import { useSelect, useStore } from "../storeContext.ts";
import { applyTheme, readTheme, type ThemeChoice } from "../theme.ts";
import { useSaveSettings } from "../useSaveSettings.ts";

export function Settings() {
  const settings = useSelect((s) => s.settings);
  if (!settings) return <p className="text-sm text-slate-500">Loading settings…</p>;
  return (
    <div className="flex flex-col gap-4">
      <PurchaseSettings settings={settings} />
      <SpendCapSettings settings={settings} />
      <WalletCard />
      <DriverSettings settings={settings} />
      <NodeSettings settings={settings} />
      <ExplorerSettings settings={settings} />
      <Appearance />
    </div>
  );
}

function PurchaseSettings({ settings }: { settings: SettingsView }) {
  const { save, error, saved } = useSaveSettings();
  const [minutes, setMinutes] = useState(String(settings.minutes));
  const [renewMinutes, setRenewMinutes] = useState(String(settings.renewMinutes));
  const [megabytes, setMegabytes] = useState(String(settings.megabytes));
  const [low, setLow] = useState(String(settings.lowBalanceMinutes));
  useEffect(() => {
    setMinutes(String(settings.minutes));
    setRenewMinutes(String(settings.renewMinutes));
    setMegabytes(String(settings.megabytes));
    setLow(String(settings.lowBalanceMinutes));
  }, [settings.minutes, settings.renewMinutes, settings.megabytes, settings.lowBalanceMinutes]);
  return (
    <Card title="Buying time and data">
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void save({
            minutes: Number(minutes),
            renewMinutes: Number(renewMinutes),
            megabytes: Number(megabytes),
            lowBalanceMinutes: Number(low),
          });
        }}
      >
        <TextField
          label="Minutes bought when connecting"
          type="number"
          min={1}
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <TextField
          label="Minutes bought per renewal"
          type="number"
          min={1}
          value={renewMinutes}
          onChange={(e) => setRenewMinutes(e.target.value)}
        />
        <TextField
          label="Megabytes bought when connecting (data plans)"
          type="number"
          min={1}
          value={megabytes}
          onChange={(e) => setMegabytes(e.target.value)}
          hint="On nodes that sell data. Each data renewal buys as many again; 1 MB = 1,000,000 bytes up and down."
        />
        <TextField
          label="Warn when the balance covers fewer minutes than"
          type="number"
          min={0}
          value={low}
          onChange={(e) => setLow(e.target.value)}
          hint="At the chosen node's price. 0 turns the warning off."
        />
        <Switch label="Auto-renew" checked={settings.autoRenew} onChange={(autoRenew) => void save({ autoRenew })} />
        {error && <ErrorNotice error={error} context="Saving" />}
        {saved && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved.
          </p>
        )}
        <Button tone="primary" type="submit" className="self-start">
          Save
        </Button>
      </form>
    </Card>
  );
}

function DriverSettings({ settings }: { settings: SettingsView }) {
  const info = useSelect((s) => s.info);
  const { save, error } = useSaveSettings();
  if (!info) return null;
  const current = settings.driver ?? info.defaultDriver;
  const describe: Record<TunnelDriverKind, string> = {
    "wg-quick": "The system's WireGuard (wg-quick). Kill switch: traffic stays blocked when the lease ends.",
    userspace: "wireguard-go run by this app (Linux). Kill switch included.",
    export: "Writes a config for the official WireGuard app. No root needed; the app's own kill switch applies.",
  };
  return (
    <Card title="Tunnel">
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm">How the tunnel is brought up on this computer</legend>
        {info.drivers.map((d) => (
          <label
            key={d.kind}
            className={`flex items-start gap-3 rounded-lg p-2 ring-1 ring-slate-200 dark:ring-slate-800 ${d.available ? "" : "opacity-70"}`}
          >
            <input
              type="radio"
              name="driver"
              className="mt-1 accent-indigo-600"
              checked={current === d.kind}
              onChange={() => void save({ driver: d.kind })}
            />
            <span className="text-sm">
              <span className="font-semibold">{d.kind}</span>
              {d.kind === info.defaultDriver ? " (default)" : ""}
              <span className="block text-xs text-slate-500 dark:text-slate-400">{describe[d.kind]}</span>
              {!d.available && (
                <span className="block text-xs text-amber-700 dark:text-amber-400">{humanSentence(d.note)}</span>
              )}
            </span>
          </label>
        ))}
      </fieldset>
      {error && <ErrorNotice error={error} context="Saving" />}
    </Card>
  );
}

function NodeSettings({ settings }: { settings: SettingsView }) {
  const store = useStore();
  const [url, setUrl] = useState("");
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      await store.call("nodes.add", { url });
      setUrl("");
    } catch (e) {
      setError(wireErrorOf(e));
    }
    setBusy(false);
  };
  return (
    <Card title="Your nodes">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <div className="min-w-0 flex-1">
          <TextField
            label="Add a node by its URL"
            placeholder="https://node.example"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <Button type="submit" disabled={busy || url.trim() === ""}>
          {busy ? "Checking…" : "Add"}
        </Button>
      </form>
      {error && (
        <div className="mt-2">
          <ErrorNotice error={error} context="Adding the node" />
        </div>
      )}
      {settings.nodes.length > 0 && (
        <ul className="mt-3 flex flex-col gap-2">
          {settings.nodes.map((node) => (
            <li key={node} className="flex items-center justify-between gap-2 text-sm">
              <span className="truncate font-mono">{node}</span>
              <Button
                onClick={() =>
                  void store.run("nodes.remove", { url: node }, "Removing the node").catch(() => undefined)
                }
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function ExplorerSettings({ settings }: { settings: SettingsView }) {
  const nodes = useSelect((s) => s.nodes);
  const info = useSelect((s) => s.info);
  const { save, error, saved } = useSaveSettings();
  const networks = [
    ...new Set([
      ...(info?.localStack ? [info.localStack.network] : []),
      ...(nodes ?? []).flatMap((n) => (n.reachable ? [n.network] : [])),
      ...Object.keys(settings.explorerTxUrls),
    ]),
  ];
  const [drafts, setDrafts] = useState<Record<string, string>>(settings.explorerTxUrls);
  useEffect(() => setDrafts(settings.explorerTxUrls), [settings.explorerTxUrls]);
  if (networks.length === 0) return null;
  return (
    <Card title="Transaction links">
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const cleaned = Object.fromEntries(Object.entries(drafts).filter(([, v]) => v.trim() !== ""));
          void save({ explorerTxUrls: cleaned });
        }}
      >
        {networks.map((network) => (
          <TextField
            key={network}
            label={`Explorer for ${network}`}
            placeholder="https://explorer.example/tx/{hash}"
            value={drafts[network] ?? ""}
            onChange={(e) => setDrafts({ ...drafts, [network]: e.target.value })}
            hint="{hash} is replaced by the transaction hash. Empty: the chain's default explorer, if it has one."
          />
        ))}
        {error && <ErrorNotice error={error} context="Saving" />}
        {saved && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved.
          </p>
        )}
        <Button type="submit" className="self-start">
          Save links
        </Button>
      </form>
    </Card>
  );
}

function Appearance() {
  const info = useSelect((s) => s.info);
  const [theme, setTheme] = useState<ThemeChoice>(readTheme());
  return (
    <Card title="App">
      <fieldset className="mb-3 flex flex-wrap items-center gap-2">
        <legend className="mb-1 text-sm">Appearance</legend>
        {(["system", "light", "dark"] as const).map((choice) => (
          <label key={choice} className="flex items-center gap-1 text-sm">
            <input
              type="radio"
              name="theme"
              className="accent-indigo-600"
              checked={theme === choice}
              onChange={() => {
                setTheme(choice);
                applyTheme(choice);
              }}
            />
            {choice === "system" ? "Like the system" : choice === "light" ? "Light" : "Dark"}
          </label>
        ))}
      </fieldset>
      {info && (
        <p className="mt-3 break-all text-xs text-slate-500 dark:text-slate-400">
          wg402 {info.version} ({info.transport}) · data in {info.home}
        </p>
      )}
    </Card>
  );
}
